/// How a network runs: its modules grouped into steps, one ``Step`` case per kind, and where
/// each step's buffers live in the workspace. Built once at initialisation; the hot path only
/// reads it.
///
/// Workspace layout: a ones vector (`batch` elements, for `db = Gᵀ·1`), the batch-independent
/// ``scratchCount`` elements, then ``unitsPerSample`` units of `batch` elements each. The
/// input gradient comes first among the units.
///
/// Fusion is decided here, not in the loop that runs the steps: a dense module followed by an
/// activation becomes one ``DenseStep`` (the activation runs as its product's epilogue), and a
/// dense step directly above another such step applies that activation's backward as the
/// epilogue of its `dX` product (``DenseStep/fusedBelow``). Elementwise steps that need only
/// their own gradient (activation, dropout) run their backward in place: their gradient buffer
/// is the step below's, so no step copies a gradient.
struct ExecutionPlan: Sendable {
    /// A module as the plan sees it, with where its parameters and statistics live.
    enum Module: Sendable, Equatable {
        /// `W` `[outputSize, inputSize]` at `weightOffset`, then `b`.
        case dense(inputSize: Int, outputSize: Int, weightOffset: Int)
        case activation(Activation)
        case dropout(probability: Double)
        /// `w`, then `b`, `[features]` each, at `parameterOffset`.
        case layerNorm(features: Int, epsilon: Double, parameterOffset: Int)
        /// `w`, then `b` at `parameterOffset`; `running_mean`, then `running_var` at
        /// `statisticsOffset`; `num_batches_tracked` at `counterIndex`.
        case batchNorm(
            features: Int, epsilon: Double, momentum: Double, parameterOffset: Int, statisticsOffset: Int,
            counterIndex: Int)

        /// The model file's kind.
        var kind: String {
            switch self {
            case .dense: "linear"
            case .activation(let a): a.kind
            case .dropout: "dropout"
            case .layerNorm: "layer_norm"
            case .batchNorm: "batch_norm"
            }
        }

        /// Where the module's parameters live in the flat parameter vector (empty without any).
        var parameterRange: Range<Int> {
            switch self {
            case .dense(let i, let o, let offset): offset..<(offset + i * o + o)
            case .layerNorm(let f, _, let offset), .batchNorm(let f, _, _, let offset, _, _): offset..<(offset + 2 * f)
            case .activation, .dropout: 0..<0
            }
        }
    }

    /// One forward/backward unit of work.
    enum Step: Sendable {
        case dense(DenseStep)
        case activation(ActivationStep)
        case dropout(DropoutStep)
        case layerNorm(LayerNormStep)
        case batchNorm(BatchNormStep)

        /// The buffers and widths every kind has.
        var layout: StepLayout {
            switch self {
            case .dense(let s): s.layout
            case .activation(let s): s.layout
            case .dropout(let s): s.layout
            case .layerNorm(let s): s.layout
            case .batchNorm(let s): s.layout
            }
        }

        @inline(__always)
        func forward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
            switch self {
            case .dense(let s): s.forward(io, c)
            case .activation(let s): s.forward(io, c)
            case .dropout(let s): s.forward(io, c)
            case .layerNorm(let s): s.forward(io, c)
            case .batchNorm(let s): s.forward(io, c)
            }
        }

        @inline(__always)
        func backward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
            switch self {
            case .dense(let s): s.backward(io, c)
            case .activation(let s): s.backward(io, c)
            case .dropout(let s): s.backward(io, c)
            case .layerNorm(let s): s.backward(io, c)
            case .batchNorm(let s): s.backward(io, c)
            }
        }
    }

    var modules: [Module]
    var steps: [Step]
    var inputSize: Int
    var outputSize: Int
    var inputGradientUnit: Int
    /// Workspace units per sample (each `batch` elements; excluding the ones vector).
    var unitsPerSample: Int
    /// Batch-independent workspace elements (per-feature statistics).
    var scratchCount: Int
    var parameterCount: Int
    /// Elements of running statistics.
    var statisticsCount: Int
    /// Batch-normalisation modules (entries of `num_batches_tracked`).
    var counterCount: Int

    /// Whether a batch of one row cannot run in training mode (batch normalisation needs two).
    var needsTwoRowsToTrain: Bool { steps.contains { if case .batchNorm = $0 { true } else { false } } }

    /// Groups `modules` into steps and lays out the workspace. `modules` must fit together
    /// (each width as the previous module gives it; checked by `Network.init`).
    init(modules: [Module], inputSize: Int) {
        self.modules = modules
        self.inputSize = inputSize
        var steps: [Step] = []
        var width = inputSize
        // The input gradient comes first so that a leading in-place step can alias it.
        inputGradientUnit = 0
        var units = inputSize
        var scratch = 0
        var parameters = 0
        var statistics = 0
        var counters = 0
        var belowGradient = inputGradientUnit
        func take(_ count: Int) -> Int {
            defer { units += count }
            return units
        }
        var i = 0
        while i < modules.count {
            let layoutWidth: Int
            switch modules[i] {
            case .dense(let inputs, let outputs, let offset):
                var activation: Activation? = nil
                if i + 1 < modules.count, case .activation(let a) = modules[i + 1] { activation = a }
                let layout = StepLayout(
                    module: i, inputWidth: width, width: outputs, valueUnit: take(outputs), gradientUnit: take(outputs))
                var step = DenseStep(
                    layout: layout, inputSize: inputs, outputSize: outputs, weightOffset: offset, activation: activation)
                if activation?.backwardNeedsInput == true { step.preactivationUnit = take(outputs) }
                // A dense step with a fused activation directly below: its activation backward
                // becomes this step's dX epilogue.
                if case .dense(var below)? = steps.last, let belowActivation = below.activation {
                    step.fusedBelow = .init(
                        activation: belowActivation, preactivationUnit: below.preactivationUnit,
                        valueUnit: below.layout.valueUnit)
                    below.activationBackwardRunsAbove = true
                    steps[steps.count - 1] = .dense(below)
                }
                steps.append(.dense(step))
                parameters += inputs * outputs + outputs
                layoutWidth = outputs
                i += activation == nil ? 1 : 2
            case .activation(let a):
                let layout = StepLayout(
                    module: i, inputWidth: width, width: width, valueUnit: take(width), gradientUnit: belowGradient)
                steps.append(.activation(ActivationStep(layout: layout, activation: a)))
                layoutWidth = width
                i += 1
            case .dropout(let p):
                let layout = StepLayout(
                    module: i, inputWidth: width, width: width, valueUnit: take(width), gradientUnit: belowGradient)
                steps.append(.dropout(DropoutStep(layout: layout, probability: p, maskUnit: take(width))))
                layoutWidth = width
                i += 1
            case .layerNorm(let f, let eps, let offset):
                let layout = StepLayout(
                    module: i, inputWidth: width, width: f, valueUnit: take(f), gradientUnit: take(f))
                steps.append(
                    .layerNorm(
                        LayerNormStep(
                            layout: layout, epsilon: eps, parameterOffset: offset, normalizedUnit: take(f),
                            reciprocalDeviationUnit: take(1))))
                parameters += 2 * f
                layoutWidth = f
                i += 1
            case .batchNorm(let f, let eps, let momentum, let offset, let statisticsOffset, let counter):
                let layout = StepLayout(
                    module: i, inputWidth: width, width: f, valueUnit: take(f), gradientUnit: take(f))
                steps.append(
                    .batchNorm(
                        BatchNormStep(
                            layout: layout, epsilon: eps, momentum: momentum, parameterOffset: offset,
                            statisticsOffset: statisticsOffset, counterIndex: counter, normalizedUnit: take(f),
                            scratchOffset: scratch)))
                scratch += 2 * f
                parameters += 2 * f
                statistics += 2 * f
                counters += 1
                layoutWidth = f
                i += 1
            }
            width = layoutWidth
            belowGradient = steps[steps.count - 1].layout.gradientUnit
        }
        self.steps = steps
        self.outputSize = width
        self.unitsPerSample = units
        self.scratchCount = scratch
        self.parameterCount = parameters
        self.statisticsCount = statistics
        self.counterCount = counters
    }
}

/// The buffers and widths of one step. Units are in `batch` elements, after the ones vector
/// and the scratch.
struct StepLayout: Sendable {
    /// The index of the step's first module (the dense one when an activation is fused).
    var module: Int
    /// Features entering the step.
    var inputWidth: Int
    /// Features leaving the step.
    var width: Int
    /// Where the step's output `Y` is kept.
    var valueUnit: Int
    /// Where dL/dY is kept (the step below's for in-place steps).
    var gradientUnit: Int
}
