// Checks run under `mpirun` by Tests/PerceptronTests/Distributed/DataParallelMPITests.swift:
//
//   perceptron-mpi-check communicator     the collectives against their definitions
//   perceptron-mpi-check equivalence      data-parallel fit == one-process fit (Double and Float)
//   perceptron-mpi-check allocations      a data-parallel step allocates nothing (release builds)
//   perceptron-mpi-check batch-norm       batch_norm and dropout: the ranks stay identical
//   perceptron-mpi-check non-finite       a NaN in one rank's rows stops every rank alike
//   perceptron-mpi-check stop             a stop asked on one rank stops every rank alike
//
// Every rank runs the same checks; a failed check prints `FAIL rank r: …` and the process exits
// 1. Rank 0 prints `ok …` per passed check. A world of one (run without mpirun) also works.
#if canImport(Glibc)
import Glibc
#endif
import CAllocCounter
import Perceptron

nonisolated(unsafe) var failures = 0
let world: Communicator
do {
    world = try Communicator.world()
} catch {
    print("FAIL: \(error)")
    exit(1)
}

func check(_ condition: Bool, _ what: String) {
    if condition {
        if world.isRoot { print("ok \(what)") }
    } else {
        failures += 1
        print("FAIL rank \(world.rank): \(what)")
    }
}

/// ‖a − b‖∞ / ‖b‖∞.
func relativeDifference<T: Scalar>(_ a: [T], _ b: [T]) -> Double {
    guard a.count == b.count else { return .infinity }
    var difference = 0.0
    var scale = 0.0
    for (x, y) in zip(a, b) {
        difference = max(difference, abs(Double(x) - Double(y)))
        scale = max(scale, abs(Double(y)))
    }
    return difference / max(scale, .leastNormalMagnitude)
}

func checkCommunicator() throws {
    let size = world.size
    let launched = getenv("OMPI_COMM_WORLD_SIZE").flatMap { Int(String(cString: $0)) } ?? 1
    check(size == launched, "size \(size) is the launcher's \(launched)")
    // Rank r contributes (r + 1)·(i + 1): the sum is (i + 1)·R(R + 1)/2 on every rank.
    let total = Double(size * (size + 1) / 2)
    var doubles = (0..<5).map { Double(world.rank + 1) * Double($0 + 1) }
    try world.allreduceSum(&doubles)
    check(doubles == (0..<5).map { Double($0 + 1) * total }, "allreduceSum of Double is the element-wise sum")
    var floats = (0..<3).map { Float(world.rank + 1) * Float($0 + 1) }
    try world.allreduceSum(&floats)
    check(floats == (0..<3).map { Float($0 + 1) * Float(total) }, "allreduceSum of Float is the element-wise sum")
    var empty: [Double] = []
    try world.allreduceSum(&empty)
    check(empty.isEmpty, "allreduceSum of an empty buffer does nothing")
    let root = size - 1
    var broadcast = [Double(world.rank), -1, Double(world.rank) * 0.5]
    try world.broadcast(&broadcast, from: root)
    check(broadcast == [Double(root), -1, Double(root) * 0.5], "broadcast copies rank \(root)'s buffer to every rank")
    try world.barrier()
    check(true, "barrier returns on every rank")
    do {
        try world.broadcast(&broadcast, from: size)
        check(false, "broadcast from a rank outside the world throws")
    } catch {
        check("\(error)".contains("root \(size) is not a rank"), "broadcast from a rank outside the world throws")
    }
}

/// One training setup: the same on every rank; each rank starts from its own initial
/// parameters (seed + rank) so that the check also proves rank 0's are broadcast.
struct Setup {
    var name: String
    var loss: Loss
    var rows: Int
    var configuration: TrainingConfiguration
    var sgd: Bool
}

func trainedPair<T: Scalar>(_: T.Type, _ setup: Setup) throws -> (parallel: Network<T>, alone: Network<T>, TrainingHistory, TrainingHistory) {
    var data = SeededGenerator(seed: 7)
    let inputs: Matrix<T> = data.gaussianMatrix(rows: setup.rows, columns: 5)
    let classes = (0..<setup.rows).map { i in (inputs[i, 0] * inputs[i, 1] > 0 ? 1 : 0) + (inputs[i, 2] > 0.5 ? 1 : 0) }
    let targets: Targets<T> =
        setup.loss == .mse ? .values(data.gaussianMatrix(rows: setup.rows, columns: 3)) : .classes(classes)
    func network(seed: UInt64) throws -> Network<T> {
        var g = SeededGenerator(seed: seed)
        return try Network<T>(sizes: [5, 7, 6, 3], activation: .tanh, initializer: .xavier, using: &g, backend: NaiveBackend())
    }
    func fit(_ network: inout Network<T>, _ configuration: TrainingConfiguration) throws -> TrainingHistory {
        if setup.sgd {
            var o = SGD<T>(learningRate: 0.1, momentum: 0.9)
            return try network.fit(inputs, targets, loss: setup.loss, optimizer: &o, configuration: configuration)
        }
        var o = Adam<T>(learningRate: 0.01)
        return try network.fit(inputs, targets, loss: setup.loss, optimizer: &o, configuration: configuration)
    }
    var parallel = try network(seed: 100 + UInt64(world.rank))
    var configuration = setup.configuration
    configuration.communicator = world
    let parallelHistory = try fit(&parallel, configuration)
    var alone = try network(seed: 100)
    let aloneHistory = try fit(&alone, setup.configuration)
    return (parallel, alone, parallelHistory, aloneHistory)
}

func checkEquivalence<T: Scalar>(_: T.Type, tolerance: Double) throws {
    let setups = [
        Setup(
            name: "cross-entropy, Adam, shuffled, 37 rows in batches of 8", loss: .crossEntropy, rows: 37,
            configuration: TrainingConfiguration(epochs: 3, batchSize: 8, shuffle: true, seed: 5), sgd: false),
        Setup(
            name: "cross-entropy, SGD with momentum, in order, 37 rows in batches of 8", loss: .crossEntropy, rows: 37,
            configuration: TrainingConfiguration(epochs: 3, batchSize: 8, shuffle: false, seed: 5), sgd: true),
        Setup(
            name: "mse, Adam, shuffled, 37 rows in batches of 5 (a last batch of 2 rows)", loss: .mse, rows: 37,
            configuration: TrainingConfiguration(epochs: 3, batchSize: 5, shuffle: true, seed: 9), sgd: false),
        Setup(
            name: "cross-entropy with class weights and label smoothing, Adam, shuffled, 37 rows in batches of 8, 20% validation",
            loss: try Loss(.crossEntropy, labelSmoothing: 0.1, classWeights: [0.5, 2, 1.25]), rows: 37,
            configuration: TrainingConfiguration(
                epochs: 3, batchSize: 8, shuffle: true, seed: 6, validationFraction: 0.2, maximumGradientNorm: 0.5),
            sgd: false),
        Setup(
            name: "cross-entropy, SGD, in order, 41 rows, batches of 7, 25% validation, plateau schedule, early stopping",
            loss: .crossEntropy, rows: 41,
            configuration: TrainingConfiguration(
                epochs: 3, batchSize: 7, shuffle: false, seed: 1, validationFraction: 0.25,
                schedule: .plateau(factor: 0.5, patience: 0, threshold: 0), earlyStoppingPatience: 2),
            sgd: true),
    ]
    for setup in setups {
        let (parallel, alone, ph, ah) = try trainedPair(T.self, setup)
        let difference = relativeDifference(parallel.parameters, alone.parameters)
        check(
            difference <= tolerance,
            "\(T.precision) \(world.size) ranks, \(setup.name): parameters within \(tolerance) of one process (relative difference \(difference))"
        )
        let losses = { (h: TrainingHistory) -> [Double] in h.epochs.flatMap { [$0.trainLoss, $0.validationLoss ?? 0] } }
        let accuracies = { (h: TrainingHistory) -> [Double] in h.epochs.flatMap { [$0.trainAccuracy ?? -1, $0.validationAccuracy ?? -1] } }
        check(
            ph.epochs.count == ah.epochs.count && ph.bestEpoch == ah.bestEpoch && ph.stoppedEarly == ah.stoppedEarly
                && relativeDifference(losses(ph), losses(ah)) <= tolerance && accuracies(ph) == accuracies(ah),
            "\(T.precision) \(world.size) ranks, \(setup.name): epoch losses and accuracies equal one process's")
        var reference = parallel.parameters
        try world.broadcast(&reference, from: 0)
        check(reference == parallel.parameters, "\(T.precision) \(world.size) ranks, \(setup.name): every rank holds the same parameters")
    }
}

/// Allocations per data-parallel step on the calling thread: the allocations of a 2-epoch fit
/// over 2N rows minus those over N rows, divided by the extra steps, so that what fit
/// allocates once or once per epoch cancels. Open MPI's `MPI_Allreduce` itself mallocs a
/// temporary buffer per call (its collective algorithms do); what the step adds to the bare
/// allreduce of its buffer must be nothing.
func checkAllocations() throws {
    let sizes = [32, 64, 4]
    func allocations(rows: Int) throws -> UInt64 {
        var g = SeededGenerator(seed: 1)
        let inputs: Matrix<Float> = g.gaussianMatrix(rows: rows, columns: sizes[0])
        let classes = (0..<rows).map { $0 % sizes[2] }
        var network = try Network<Float>(sizes: sizes, using: &g, backend: NaiveBackend())
        var adam = Adam<Float>()
        let configuration = TrainingConfiguration(epochs: 2, batchSize: 16, shuffle: true, seed: 3, communicator: world)
        let before = alloc_counter_mallocs()
        _ = try network.fit(inputs, .classes(classes), loss: .crossEntropy, optimizer: &adam, configuration: configuration)
        return alloc_counter_mallocs() - before
    }
    guard alloc_counter_enabled() != 0 else { return check(true, "allocation counting is off (sanitizer build)") }
    // The step's buffer: every parameter, then the summed loss, what it divides by and the stop flag.
    var buffer = [Float](repeating: 1, count: sizes[0] * sizes[1] + sizes[1] + sizes[1] * sizes[2] + sizes[2] + 3)
    try world.allreduceSum(&buffer)
    let before = alloc_counter_mallocs()
    for _ in 0..<40 { try buffer.withUnsafeMutableBufferPointer { (b) throws(CommunicatorError) in try world.allreduceSum(b) } }
    let perAllreduce = Double(alloc_counter_mallocs() - before) / 40
    _ = try allocations(rows: 64)
    let short = try allocations(rows: 320)
    let long = try allocations(rows: 640)
    // 2 epochs × 20 more steps of 16 rows.
    let perStep = Double(Int(long) - Int(short)) / 40
    let what = "\(perStep) allocations per step, \(perAllreduce) per bare MPI_Allreduce of the step's buffer"
    #if DEBUG
    check(true, "\(what) (debug build: not asserted)")
    #else
    // Anything the step allocated itself would add at least 1.
    check(perStep - perAllreduce < 0.5, "a data-parallel step allocates nothing beyond MPI_Allreduce's own (\(what))")
    #endif
}

/// Batch normalisation and dropout train on each rank's share (as PyTorch DDP without
/// SyncBatchNorm does), so the result is not one process's; what must hold is that every rank
/// ends with the same parameters and running statistics, and that a share of one row is refused.
func checkBatchNormalization() throws {
    var data = SeededGenerator(seed: 8)
    let inputs: Matrix<Double> = data.gaussianMatrix(rows: 45, columns: 5)
    let classes = (0..<45).map { $0 % 3 }
    func train(batchSize: Int) throws -> Network<Double> {
        var g = SeededGenerator(seed: 100 + UInt64(world.rank))
        var network = try Network<Double>(
            sizes: [5, 8, 3], normalization: .batch, dropout: 0.2, using: &g, backend: NaiveBackend())
        var adam = Adam<Double>(learningRate: 0.01)
        _ = try network.fit(
            inputs, .classes(classes), loss: .crossEntropy, optimizer: &adam,
            configuration: TrainingConfiguration(
                epochs: 3, batchSize: batchSize, seed: 2, validationFraction: 0.2, communicator: world))
        return network
    }
    let network = try train(batchSize: 12)
    let statistics = network.layers.flatMap { layer -> [Double] in
        if case .batchNorm(let b) = layer { return b.runningMean + b.runningVariance }
        return []
    }
    var reference = network.parameters + statistics
    try world.broadcast(&reference, from: 0)
    check(
        !statistics.isEmpty && reference == network.parameters + statistics,
        "batch_norm and dropout, \(world.size) ranks: every rank holds the same parameters and running statistics")
    // 36 training rows in batches of 12 → shares of 12/R rows; 3 rows per batch → 1-row shares.
    if world.size > 1 {
        do {
            _ = try train(batchSize: world.size + 1)
            check(false, "batch_norm, \(world.size) ranks: a share of one row is refused")
        } catch {
            check("\(error)".contains("share of one row"), "batch_norm, \(world.size) ranks: a share of one row is refused")
        }
    }
}

/// A NaN in one row, in rank 1's share of the first batch: every rank stops on the same step
/// with the same error as one process (the first non-finite quantity over all ranks).
func checkNonFiniteStop() throws {
    var data = SeededGenerator(seed: 4)
    var inputs: Matrix<Double> = data.gaussianMatrix(rows: 24, columns: 5)
    inputs[5, 2] = .nan
    let classes = (0..<24).map { $0 % 3 }
    func error(_ communicator: Communicator) throws -> TrainingError? {
        var g = SeededGenerator(seed: 100)
        var network = try Network<Double>(sizes: [5, 7, 3], using: &g, backend: NaiveBackend())
        var sgd = SGD<Double>(learningRate: 0.1)
        do {
            _ = try network.fit(
                inputs, .classes(classes), loss: .crossEntropy, optimizer: &sgd,
                configuration: TrainingConfiguration(epochs: 2, batchSize: 8, shuffle: false, communicator: communicator))
            return nil
        } catch {
            return error
        }
    }
    let alone = try error(.single)
    let parallel = try error(world)
    check(alone != nil && parallel == alone, "a NaN in one rank's rows: \(world.size) ranks stop with one process's error (\(parallel.map { "\($0)" } ?? "none"))")
}

/// The last rank asks to stop before its 5th step (a signal reached it alone): every rank stops
/// before that step's update, with one process's parameters after 4 steps.
func checkStopRequest() throws {
    var data = SeededGenerator(seed: 5)
    let inputs: Matrix<Double> = data.gaussianMatrix(rows: 30, columns: 5)
    let classes = (0..<30).map { $0 % 3 }
    func train(_ communicator: Communicator, asking: Bool) throws -> (Network<Double>, TrainingHistory) {
        var g = SeededGenerator(seed: 100)
        var network = try Network<Double>(sizes: [5, 7, 3], using: &g, backend: NaiveBackend())
        var adam = Adam<Double>(learningRate: 0.01)
        var asked = 0
        let history = try network.fit(
            inputs, .classes(classes), loss: .crossEntropy, optimizer: &adam,
            configuration: TrainingConfiguration(epochs: 3, batchSize: 8, seed: 1, communicator: communicator),
            stopRequested: {
                asked += 1
                return asking && asked == 5
            })
        return (network, history)
    }
    let (alone, aloneHistory) = try train(.single, asking: true)
    let (parallel, history) = try train(world, asking: world.rank == world.size - 1)
    check(
        history.stopRequested && aloneHistory.stopRequested && history.epochs.count == 1
            && relativeDifference(parallel.parameters, alone.parameters) <= 1e-12,
        "a stop asked by rank \(world.size - 1) alone: \(world.size) ranks stop before the same update as one process")
}

do {
    switch CommandLine.arguments.dropFirst().first {
    case "stop":
        try checkStopRequest()
    case "non-finite":
        try checkNonFiniteStop()
    case "batch-norm":
        try checkBatchNormalization()
    case "allocations":
        try checkAllocations()
    case "communicator":
        try checkCommunicator()
    case "equivalence":
        // Double: the only difference is the order of the gradient sums (1e-12 after 3 epochs);
        // Float: the same, at single precision (1e-5).
        try checkEquivalence(Double.self, tolerance: 1e-12)
        try checkEquivalence(Float.self, tolerance: 1e-5)
    default:
        print("usage: perceptron-mpi-check communicator|equivalence|allocations|batch-norm|non-finite|stop")
        exit(2)
    }
} catch {
    print("FAIL rank \(world.rank): \(error)")
    exit(1)
}
exit(failures == 0 ? 0 : 1)
