import Glibc
import Testing

@testable import Perceptron

/// The parts of data-parallel training that need no second process: how a global batch is
/// shared, the one-process world, and the sums validation is allreduced through.
@Suite struct DataParallelShareTests {
    @Test func sharesAreContiguousCoverTheBatchAndDifferByAtMostOneRow() {
        for size in 1...5 {
            for start in [0, 7] {
                for count in 0...13 {
                    let batch = start..<(start + count)
                    let shares = (0..<size).map { DataParallelTraining<Double>.share(of: batch, rank: $0, size: size) }
                    #expect(shares.first?.lowerBound == batch.lowerBound)
                    #expect(shares.last?.upperBound == batch.upperBound)
                    for (a, b) in zip(shares, shares.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
                    let counts = shares.map(\.count)
                    #expect(counts.max()! - counts.min()! <= 1, "\(counts)")
                    // Ranks past the rows of a short batch get none.
                    #expect(counts.filter { $0 == 0 }.count == max(size - count, 0), "\(counts)")
                }
            }
        }
    }

    @Test func aWorldOfOneHasIdentityCollectives() throws {
        let world = Communicator.single
        #expect(world.rank == 0 && world.size == 1 && world.isRoot)
        var values: [Double] = [1, -2, 3.5]
        try world.allreduceSum(&values)
        #expect(values == [1, -2, 3.5])
        var floats: [Float] = [0.25]
        try world.broadcast(&floats)
        #expect(floats == [0.25])
        try world.barrier()
        #expect(throws: CommunicatorError.self) { try world.broadcast(&values, from: 1) }
    }

    @Test(.enabled(if: getenv("OMPI_COMM_WORLD_SIZE") == nil, "this process was started by mpirun"))
    func aProcessNotStartedByMpirunIsAWorldOfOne() throws {
        #expect(try Communicator.world() == .single)
    }

    /// Sums from two halves, added field by field, give the mean and accuracy of the whole,
    /// which is how data-parallel validation combines the ranks' shares.
    @Test func evaluationSumsOfSharesAddUpToTheWholeEvaluation() throws {
        var g = SeededGenerator(seed: 3)
        var network = try Network<Double>(sizes: [4, 5, 3], using: &g, backend: NaiveBackend())
        let x: Matrix<Double> = g.gaussianMatrix(rows: 23, columns: 4)
        let classes = (0..<23).map { $0 % 3 }
        let (whole, halves) = x.withUnsafeBufferPointer { xs in
            classes.withUnsafeBufferPointer { cs in
                let t = TargetView<Double>.classes(cs)
                let whole = network.evaluateInChunks(xs, t, rows: 0..<23, batchSize: 5, loss: .crossEntropy)
                let a = network.evaluationSums(xs, t, rows: 0..<12, batchSize: 5, loss: .crossEntropy)
                let b = network.evaluationSums(xs, t, rows: 12..<23, batchSize: 5, loss: .crossEntropy)
                return (whole, EvaluationSums(values: ArraySlice(zip(a.values, b.values).map { $0 + $1 })))
            }
        }
        // Chunks of 5 rows starting at 0 or at 12: the same per-row losses, summed in another
        // order (a few roundings of Double).
        #expect(abs(halves.meanLoss - whole.loss) <= 1e-14 * abs(whole.loss))
        #expect(halves.accuracy(for: .crossEntropy) == whole.accuracy)
    }
}
