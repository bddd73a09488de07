import Foundation
import Testing

@testable import Perceptron

/// Parameters, gradients and moments for the Adam kernels: seeded values over many magnitudes,
/// with 0, −0, subnormals, huge values, ±∞ and NaN mixed in, so that every IEEE path of the
/// arithmetic is compared.
private func adamState<T: Scalar>(_: T.Type, count: Int, seed: UInt64) -> (p: [T], g: [T], m: [T], v: [T]) {
    var rng = SeededGenerator(seed: seed)
    let specials: [T] = [0, -0.0, T.leastNonzeroMagnitude, -T.leastNormalMagnitude, T.greatestFiniteMagnitude, .infinity, -.infinity, .nan]
    func value(_ i: Int, nonNegative: Bool) -> T {
        var x: T
        if i % 11 == 5 {
            x = specials[Int(rng.next() % UInt64(specials.count))]
        } else {
            let exponent = Int(rng.next() % 40) - 30
            x = T(Double(rng.next() % 1_000_000) / 1_000_000 - 0.5) * T(Double.pow(2, Double(exponent)))
        }
        return nonNegative ? x.magnitude : x
    }
    return (
        (0..<count).map { value($0, nonNegative: false) }, (0..<count).map { value($0 + 3, nonNegative: false) },
        (0..<count).map { value($0 + 7, nonNegative: false) }, (0..<count).map { value($0 + 1, nonNegative: true) }
    )
}

/// Equal bit for bit, except that any NaN equals any NaN (payloads are not specified).
private func identical<T: Scalar>(_ a: [T], _ b: [T]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in (x.isNaN && y.isNaN) || (x == y && x.sign == y.sign) }
}

private func checkAdamKernel<T: Scalar>(_: T.Type, decays: Bool, streaming: Bool) {
    // Lengths around every vector width (4, 8, 16 lanes), the loops' tails and, for the
    // streaming kernel, the scalar head up to p's first 64-byte boundary: the tensors start
    // `offset` (0 to 15) elements into their arrays, whose elements before it stay untouched.
    for (index, count) in [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 1027].enumerated() {
        let offset = index % 16
        let start = adamState(T.self, count: offset + count, seed: UInt64(count) + (decays ? 100 : 0))
        let (w1, b2, w2): (T, T, T) = (0.1, 0.999, T(1) - T(0.999))
        let (stepSize, root, eps): (T, T, T) = (T(0.001) / 0.19, T(1 / (0.002997).squareRoot()), 1e-8)
        let (shrink, l2): (T, T) = decays ? (0.9999, 0.01) : (1, 0)

        var (p1, m1, v1) = (start.p, start.m, start.v)
        var (p2, m2, v2) = (start.p, start.m, start.v)
        let accelerated = start.g.withUnsafeBufferPointer { g in
            p1.withUnsafeMutableBufferPointer { p in
                m1.withUnsafeMutableBufferPointer { m in
                    v1.withUnsafeMutableBufferPointer { v in
                        VectorKernels.adam(
                            p.baseAddress! + offset, g.baseAddress! + offset, m.baseAddress! + offset,
                            v.baseAddress! + offset, count, w1, b2, w2, stepSize, root, eps, decays: decays, shrink, l2,
                            streaming: streaming)
                    }
                }
            }
        }
        #expect(accelerated == (VectorKernels.vectorBits > 0))
        if !accelerated {
            // Without a vector unit the kernel must leave everything untouched.
            #expect(identical(p1, start.p) && identical(m1, start.m) && identical(v1, start.v))
            continue
        }
        start.g.withUnsafeBufferPointer { g in
            p2.withUnsafeMutableBufferPointer { p in
                m2.withUnsafeMutableBufferPointer { m in
                    v2.withUnsafeMutableBufferPointer { v in
                        Adam<T>.loop(
                            p.baseAddress! + offset, g.baseAddress! + offset, m.baseAddress! + offset,
                            v.baseAddress! + offset, count, w1, b2, w2, stepSize, root, eps, decays: decays, shrink, l2)
                    }
                }
            }
        }
        #expect(identical(p1, p2), "p differs at count \(count), offset \(offset)")
        #expect(identical(m1, m2), "m differs at count \(count), offset \(offset)")
        #expect(identical(v1, v2), "v differs at count \(count), offset \(offset)")
    }
}

@Test(arguments: [false, true], [false, true])
func adamVectorKernelIsBitIdenticalToThePortableLoopInFloat(decays: Bool, streaming: Bool) {
    checkAdamKernel(Float.self, decays: decays, streaming: streaming)
}

@Test(arguments: [false, true], [false, true])
func adamVectorKernelIsBitIdenticalToThePortableLoopInDouble(decays: Bool, streaming: Bool) {
    checkAdamKernel(Double.self, decays: decays, streaming: streaming)
}

#if arch(x86_64)
/// Every x86-64 machine this package targets for speed has AVX2; a silent fall back to the
/// portable loop would pass every other test and lose the speed.
@Test func vectorKernelsAreChosenOnThisMachine() {
    if ProcessInfo.processInfo.environment["PERCEPTRON_PORTABLE_KERNELS", default: "0"] != "0" {
        #expect(VectorKernels.vectorBits == 0)
    } else {
        #expect(VectorKernels.vectorBits == 512 || VectorKernels.vectorBits == 256 || !cpuHasAVX2())
    }
}

/// Whether /proc/cpuinfo lists `avx2` (Linux).
private func cpuHasAVX2() -> Bool {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
    return info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("avx2") ?? false
}
#endif
