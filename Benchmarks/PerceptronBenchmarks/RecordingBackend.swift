import Perceptron

/// What a recording backend saw: every GEMM's shape and flags in call order, and the other calls counted.
final class CallLog: @unchecked Sendable {
    // Used from the benchmark's one thread only.
    var gemms: [GEMMShape] = []
    var gemvs = 0
    var others = 0

    func reset() {
        gemms.removeAll(keepingCapacity: true)
        gemvs = 0
        others = 0
    }
}

/// A backend that forwards every call to `inner` and logs it: how the benchmark learns which
/// GEMMs a network's step makes, to compare them with the floor's.
struct RecordingBackend<Inner: Backend>: Backend {
    var inner: Inner
    var log: CallLog

    var name: String { inner.name }

    func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int
    ) {
        log.gemms.append(GEMMShape(m: m, n: n, k: k, transA: transposeA, transB: transposeB, role: "recorded"))
        inner.gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    func gemv<T: Scalar>(
        transposeA: Bool, m: Int, n: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        x: UnsafeBufferPointer<T>, beta: T, y: UnsafeMutableBufferPointer<T>
    ) {
        log.gemvs += 1
        inner.gemv(transposeA: transposeA, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y)
    }

    func axpy<T: Scalar>(alpha: T, x: UnsafeBufferPointer<T>, y: UnsafeMutableBufferPointer<T>) {
        log.others += 1
        inner.axpy(alpha: alpha, x: x, y: y)
    }

    func scale<T: Scalar>(by alpha: T, x: UnsafeMutableBufferPointer<T>) {
        log.others += 1
        inner.scale(by: alpha, x: x)
    }

    func dot<T: Scalar>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> T {
        log.others += 1
        return inner.dot(x, y)
    }
}

/// Whether `recorded` is the floor's list of GEMMs, compared as multisets of (m, n, k, flags).
func sameGEMMs(_ recorded: [GEMMShape], _ floor: [GEMMShape]) -> Bool {
    func key(_ s: GEMMShape) -> String { "\(s.m) \(s.n) \(s.k) \(s.flags)" }
    return recorded.map(key).sorted() == floor.map(key).sorted()
}
