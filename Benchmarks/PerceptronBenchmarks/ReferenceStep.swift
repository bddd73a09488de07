#if canImport(Glibc)
import Glibc
#endif
import Perceptron

/// A hand-written Float training step of a ReLU MLP with softmax cross-entropy and Adam, on
/// preallocated buffers, calling the backend's buffer-level GEMM directly: the same 8 GEMMs as
/// the floor plus fused elementwise loops. It is not the library's network: it shows how close
/// to the GEMM floor a step can get on this machine, and so what the network's overhead is.
final class ReferenceStep<B: Backend> {
    let backend: B
    let widths: [Int]
    /// The batch the buffers were sized for.
    let capacity: Int
    /// The rows of the current batch (at most `capacity`; smaller for an epoch's last batch).
    private(set) var batch: Int
    private var step = 0
    // Per layer l (0-based): W [out, in], b [out], their gradients and Adam moments.
    private var w: [UnsafeMutableBufferPointer<Float>] = []
    private var b: [UnsafeMutableBufferPointer<Float>] = []
    private var dW: [UnsafeMutableBufferPointer<Float>] = []
    private var db: [UnsafeMutableBufferPointer<Float>] = []
    private var mW: [UnsafeMutableBufferPointer<Float>] = []
    private var vW: [UnsafeMutableBufferPointer<Float>] = []
    private var mb: [UnsafeMutableBufferPointer<Float>] = []
    private var vb: [UnsafeMutableBufferPointer<Float>] = []
    // Activations: a[0] is the input [batch, widths[0]]; a[l + 1] the output of layer l.
    private var a: [UnsafeMutableBufferPointer<Float>] = []
    // Upstream gradients g[l] = dL/d(pre-activation of layer l), [batch, widths[l + 1]].
    private var g: [UnsafeMutableBufferPointer<Float>] = []
    private var labels: [Int] = []

    init(backend: B, widths: [Int], batch: Int, seed: UInt64) {
        self.backend = backend
        self.widths = widths
        self.batch = batch
        self.capacity = batch
        var rng = SeededGenerator(seed: seed)
        func buffer(_ n: Int, _ fill: (inout SeededGenerator) -> Float) -> UnsafeMutableBufferPointer<Float> {
            let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
            for i in 0..<n { p[i] = fill(&rng) }
            return p
        }
        a.append(buffer(batch * widths[0]) { $0.uniform(0, 1) })
        for l in 0..<(widths.count - 1) {
            let (fanIn, fanOut) = (widths[l], widths[l + 1])
            let bound = Float(1 / Double(fanIn).squareRoot())
            w.append(buffer(fanOut * fanIn) { $0.uniform(-bound, bound) })
            b.append(buffer(fanOut) { $0.uniform(-bound, bound) })
            dW.append(buffer(fanOut * fanIn) { _ in 0 })
            mW.append(buffer(fanOut * fanIn) { _ in 0 })
            vW.append(buffer(fanOut * fanIn) { _ in 0 })
            db.append(buffer(fanOut) { _ in 0 })
            mb.append(buffer(fanOut) { _ in 0 })
            vb.append(buffer(fanOut) { _ in 0 })
            a.append(buffer(batch * fanOut) { _ in 0 })
            g.append(buffer(batch * fanOut) { _ in 0 })
        }
        labels = (0..<batch).map { _ in Int(rng.next() % UInt64(widths[widths.count - 1])) }
    }

    /// Copies the samples `indices` of `data` into the input and label buffers: the next batch.
    func load(_ data: EpochData, indices: ArraySlice<Int>) {
        precondition(indices.count <= capacity && data.features == widths[0], "batch does not fit the buffers")
        batch = indices.count
        let x = a[0].baseAddress!
        data.images.withUnsafeBufferPointer { images in
            for (row, sample) in indices.enumerated() {
                (x + row * data.features).update(from: images.baseAddress! + sample * data.features, count: data.features)
                labels[row] = data.labels[sample]
            }
        }
    }

    deinit {
        for list in [w, b, dW, db, mW, vW, mb, vb, a, g] { for p in list { p.deallocate() } }
    }

    /// Forward, softmax cross-entropy, backward, Adam (lr 1e-3, β 0.9/0.999, ε 1e-8). Returns the loss.
    @discardableResult
    func run() -> Float {
        forward()
        let layers = widths.count - 1
        // Softmax cross-entropy on logits: G = (softmax(z) − onehot(t)) / N, loss = mean(lse(z) − z_t).
        let classes = widths[layers]
        let z = a[layers].baseAddress!, gz = g[layers - 1].baseAddress!
        var loss: Float = 0
        let invN = 1 / Float(batch)
        for i in 0..<batch {
            let row = z + i * classes, grow = gz + i * classes
            var m = row[0]
            for j in 1..<classes { m = max(m, row[j]) }
            var sum: Float = 0
            for j in 0..<classes {
                let e = expf(row[j] - m)
                grow[j] = e
                sum += e
            }
            let scale = invN / sum
            for j in 0..<classes { grow[j] *= scale }
            grow[labels[i]] -= invN
            loss += (logf(sum) + m - row[labels[i]]) * invN
        }
        // Backward.
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let (n, k) = (widths[l + 1], widths[l])
            // dW = Gᵀ·X; db = Σ_rows G.
            backend.gemm(
                transposeA: true, transposeB: false, m: n, n: k, k: batch, alpha: 1,
                a: UnsafeBufferPointer(g[l]), lda: n, b: UnsafeBufferPointer(a[l]), ldb: k,
                beta: 0, c: dW[l], ldc: k)
            let gl = g[l].baseAddress!, dbl = db[l].baseAddress!
            for j in 0..<n { dbl[j] = 0 }
            for i in 0..<batch {
                let row = gl + i * n
                for j in 0..<n { dbl[j] += row[j] }
            }
            if l > 0 {
                // dX = G·W, then through ReLU: dL/dz = dL/dy · [y > 0].
                backend.gemm(
                    transposeA: false, transposeB: false, m: batch, n: k, k: n, alpha: 1,
                    a: UnsafeBufferPointer(g[l]), lda: n, b: UnsafeBufferPointer(w[l]), ldb: k,
                    beta: 0, c: g[l - 1], ldc: k)
                let gp = g[l - 1].baseAddress!, y = a[l].baseAddress!
                for i in 0..<(batch * k) where y[i] <= 0 { gp[i] = 0 }
            }
        }
        // Adam, PyTorch's form: p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε).
        step += 1
        let beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, lr: Float = 1e-3
        let c1 = 1 - powf(beta1, Float(step)), c2 = 1 - powf(beta2, Float(step))
        let stepSize = lr / c1, invSqrtC2 = 1 / c2.squareRoot()
        for l in 0..<layers {
            adam(w[l], dW[l], mW[l], vW[l], stepSize, invSqrtC2, beta1, beta2, eps)
            adam(b[l], db[l], mb[l], vb[l], stepSize, invSqrtC2, beta1, beta2, eps)
        }
        return loss
    }

    /// The forward pass into the preallocated activations: logits in the last one.
    func forward() {
        let layers = widths.count - 1
        for l in 0..<layers {
            let (n, k) = (widths[l + 1], widths[l])
            // Y = X·Wᵀ, then + b and ReLU (not on the last layer) in one pass. One sample is
            // y = W·x: a GEMV, which skips GEMM's packing of W.
            if batch == 1 {
                backend.gemv(
                    transposeA: false, m: n, n: k, alpha: 1, a: UnsafeBufferPointer(w[l]), lda: k,
                    x: UnsafeBufferPointer(a[l]), beta: 0, y: a[l + 1])
            } else {
                backend.gemm(
                    transposeA: false, transposeB: true, m: batch, n: n, k: k, alpha: 1,
                    a: UnsafeBufferPointer(a[l]), lda: k, b: UnsafeBufferPointer(w[l]), ldb: k,
                    beta: 0, c: a[l + 1], ldc: n)
            }
            let y = a[l + 1].baseAddress!, bias = b[l].baseAddress!
            let relu = l < layers - 1
            for i in 0..<batch {
                let row = y + i * n
                if relu {
                    for j in 0..<n { row[j] = max(row[j] + bias[j], 0) }
                } else {
                    for j in 0..<n { row[j] += bias[j] }
                }
            }
        }
    }

    @inline(__always)
    private func adam(
        _ p: UnsafeMutableBufferPointer<Float>, _ grad: UnsafeMutableBufferPointer<Float>,
        _ m: UnsafeMutableBufferPointer<Float>, _ v: UnsafeMutableBufferPointer<Float>,
        _ stepSize: Float, _ invSqrtC2: Float, _ beta1: Float, _ beta2: Float, _ eps: Float
    ) {
        let pp = p.baseAddress!, gp = grad.baseAddress!, mp = m.baseAddress!, vp = v.baseAddress!
        for i in 0..<p.count {
            let gi = gp[i]
            let mi = beta1 * mp[i] + (1 - beta1) * gi
            let vi = beta2 * vp[i] + (1 - beta2) * gi * gi
            mp[i] = mi
            vp[i] = vi
            // v ≥ 0, so |v| = v; but `.magnitude` lets LLVM prove the square root's argument is
            // not negative and drop the errno-setting `sqrtf` call that Linux's default
            // -fmath-errno puts behind `squareRoot()`: only then is this loop vectorised (sqrtps).
            pp[i] -= stepSize * mi / (vi.magnitude.squareRoot() * invSqrtC2 + eps)
        }
    }
}
