/// How a network runs: its modules grouped into steps, and where each step's buffers live in
/// the workspace. Built once at initialisation; the hot path only reads it.
///
/// A dense module followed by an activation becomes one fused step (GEMM, then bias and
/// activation in one pass). A standalone activation's gradient buffer is the previous step's
/// (its backward runs in place), so no step copies a gradient.
struct ExecutionPlan: Sendable {
    /// Where a dense layer's parameters live in the flat parameter (and gradient) vector:
    /// `W` `[outputSize, inputSize]` row-major at `weightOffset`, then `b` `[outputSize]`.
    struct DenseSlot: Sendable, Equatable {
        var inputSize: Int
        var outputSize: Int
        var weightOffset: Int
        var biasOffset: Int { weightOffset + inputSize * outputSize }
        var parameterCount: Int { inputSize * outputSize + outputSize }
    }

    /// A module as the plan sees it.
    enum Module: Sendable, Equatable {
        case dense(DenseSlot)
        case activation(Activation)
    }

    /// One forward/backward unit. Offsets are in units of `batch` elements, after the ones vector.
    struct Step: Sendable {
        /// The module index of the step's first module (the dense one when fused).
        var module: Int
        var dense: DenseSlot?
        var activation: Activation?
        var inputWidth: Int
        var width: Int
        var valueUnit: Int
        var gradientUnit: Int
        /// Where the pre-activation `Z` is stored, for a fused step whose activation needs it (GELU).
        var preactivationUnit: Int?
    }

    var modules: [Module]
    var steps: [Step]
    var inputSize: Int
    var outputSize: Int
    var inputGradientUnit: Int
    /// Workspace elements per sample (excluding the ones vector).
    var unitsPerSample: Int
    var parameterCount: Int

    /// Groups `modules` into steps and lays out the workspace.
    init(modules: [Module], inputSize: Int) {
        self.modules = modules
        self.inputSize = inputSize
        var steps: [Step] = []
        var units = 0
        var width = inputSize
        var i = 0
        // The input gradient comes first so that a leading activation can alias it.
        inputGradientUnit = 0
        units = inputSize
        var parameterCount = 0
        while i < modules.count {
            switch modules[i] {
            case .dense(let slot):
                var activation: Activation? = nil
                if i + 1 < modules.count, case .activation(let a) = modules[i + 1] { activation = a }
                var step = Step(
                    module: i, dense: slot, activation: activation, inputWidth: width, width: slot.outputSize,
                    valueUnit: units, gradientUnit: units + slot.outputSize, preactivationUnit: nil)
                units += 2 * slot.outputSize
                if activation?.backwardNeedsInput == true {
                    step.preactivationUnit = units
                    units += slot.outputSize
                }
                steps.append(step)
                width = slot.outputSize
                parameterCount += slot.parameterCount
                i += activation == nil ? 1 : 2
            case .activation(let a):
                let aliased = steps.last?.gradientUnit ?? 0
                steps.append(
                    Step(
                        module: i, dense: nil, activation: a, inputWidth: width, width: width,
                        valueUnit: units, gradientUnit: aliased, preactivationUnit: nil))
                units += width
                i += 1
            }
        }
        self.steps = steps
        self.outputSize = width
        self.unitsPerSample = units
        self.parameterCount = parameterCount
    }
}
