/// A sequential network of dense layers, activations, normalisation and dropout, trained and
/// run on a ``Backend``.
///
/// Parameters live in one flat vector, module by module (`W` row-major, then `b`; `w`, then `b`
/// for a normalisation), so an optimizer updates them in one loop; ``layers`` materialises
/// them as ``Layer`` values. Batch normalisation's running statistics live beside them (they
/// are not parameters). A workspace sized for the largest batch seen so far is allocated once
/// and reused: after the first call at a given batch size,
/// ``lossAndGradients(for:targets:loss:inputGradient:mode:)`` and ``predict(_:into:)``
/// allocate nothing.
///
/// Conventions: batch-first (`X` `[batch, in]`), `W` stored `[out, in]`, `Y = X·Wᵀ + b`.
public struct Network<T: Scalar>: Sendable {
    /// The kernels the network runs on.
    public var backend: any Backend
    var plan: ExecutionPlan
    /// All parameters, module by module (see ``ExecutionPlan/Module/parameterRange``).
    var parameterStorage: [T]
    /// dL/dparameter from the last backward pass, laid out as ``parameterStorage``.
    var gradientStorage: [T]
    /// `running_mean`, then `running_var`, of each batch-normalisation module.
    var statisticsStorage: [T]
    /// `num_batches_tracked` of each batch-normalisation module.
    var batchesTracked: [Int]
    /// The generator dropout masks are drawn from (see ``seedDropout(_:)``).
    var dropoutGenerator = SeededGenerator(seed: 0)
    /// Activations, gradients, saved intermediates and the input gradient; see ``ExecutionPlan``.
    var workspace: [T] = []
    /// The batch size the workspace has room for (the ones vector's length).
    var workspaceCapacity = 0
    /// The batch size of the last forward pass.
    var lastBatch = 0

    /// A network of `layers` in order.
    ///
    /// Each module that fixes its input width (dense `inputSize`, a normalisation's `features`)
    /// must equal the width reaching it; activations and dropout keep the width. Gradients
    /// stored in the layers are kept.
    /// - Throws: ``ShapeError`` if two consecutive modules disagree, a module's argument is
    ///   outside what PyTorch accepts (dropout `p` outside `[0, 1]`, …), or there is no dense
    ///   layer.
    public init(layers: [Layer<T>], backend: any Backend = defaultBackend()) throws(ShapeError) {
        guard layers.contains(where: { $0.dense != nil }), let inputSize = layers.lazy.compactMap(\.inputWidth).first
        else {
            throw ShapeError(
                operation: "Network.init", shapes: [], reason: "a network needs at least one dense layer")
        }
        var modules: [ExecutionPlan.Module] = []
        var parameters: [T] = []
        var gradients: [T] = []
        var statistics: [T] = []
        var counters: [Int] = []
        var width = inputSize
        for (i, layer) in layers.enumerated() {
            do {
                try layer.validate()
            } catch {
                throw ShapeError(operation: "Network.init", shapes: [], reason: "module \(i): \(error)")
            }
            if let required = layer.inputWidth, required != width {
                throw ShapeError(
                    operation: "Network.init",
                    shapes: [.init("module \(i) input", [required]), .init("incoming", [width])],
                    reason: "module \(i) (\(layer.kind)) expects \(required) inputs but the previous module gives \(width)")
            }
            switch layer {
            case .dense(let d):
                modules.append(.dense(inputSize: d.inputSize, outputSize: d.outputSize, weightOffset: parameters.count))
                parameters += d.weight.elements
                parameters += d.bias
                gradients += d.weightGradient.elements
                gradients += d.biasGradient
                width = d.outputSize
            case .activation(let a):
                modules.append(.activation(a))
            case .dropout(let p):
                modules.append(.dropout(probability: p))
            case .layerNorm(let l):
                modules.append(.layerNorm(features: l.features, epsilon: l.epsilon, parameterOffset: parameters.count))
                parameters += l.weight + l.bias
                gradients += l.weightGradient + l.biasGradient
            case .batchNorm(let b):
                modules.append(
                    .batchNorm(
                        features: b.features, epsilon: b.epsilon, momentum: b.momentum,
                        parameterOffset: parameters.count, statisticsOffset: statistics.count,
                        counterIndex: counters.count))
                parameters += b.weight + b.bias
                gradients += b.weightGradient + b.biasGradient
                statistics += b.runningMean + b.runningVariance
                counters.append(b.batchesTracked)
            }
        }
        self.backend = backend
        self.plan = ExecutionPlan(modules: modules, inputSize: inputSize)
        self.parameterStorage = parameters
        self.gradientStorage = gradients
        self.statisticsStorage = statistics
        self.batchesTracked = counters
    }

    /// A multilayer perceptron of dense layers of the given widths. After each hidden linear
    /// layer come `normalization` (fresh: `w = 1`, `b = 0`), `activation`, then dropout with
    /// probability `dropout` when it is positive: `sizes = [784, 256, 10]`, `.batch`, `0.2` gives
    /// `linear, batch_norm, relu, dropout(0.2), linear` (modules 0…4), PyTorch's usual
    /// `nn.Sequential` recipe.
    /// - Throws: ``ShapeError`` if fewer than two sizes are given, one is not positive, or
    ///   `dropout` is outside `[0, 1]`.
    public init(
        sizes: [Int], activation: Activation = .relu, normalization: Normalization = .none, dropout: Double = 0,
        initializer: Initializer = .he, using generator: inout SeededGenerator, backend: any Backend = defaultBackend()
    ) throws(ShapeError) {
        guard sizes.count >= 2, sizes.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(
                operation: "Network.init", shapes: [.init("sizes", sizes)],
                reason: "an MLP needs at least two positive layer widths (input and output)")
        }
        // (in + 1)·out parameters per layer: a count past Int would trap in the allocation.
        var count = 0
        for i in 0..<(sizes.count - 1) {
            let (weights, o1) = sizes[i].multipliedReportingOverflow(by: sizes[i + 1])
            let (layer, o2) = weights.addingReportingOverflow(sizes[i + 1])
            let (total, o3) = count.addingReportingOverflow(layer)
            guard !o1, !o2, !o3 else {
                throw ShapeError(
                    operation: "Network.init", shapes: [.init("sizes", sizes)],
                    reason: "the parameter count overflows Int")
            }
            count = total
        }
        var layers: [Layer<T>] = []
        for i in 0..<(sizes.count - 1) {
            if i > 0 {
                switch normalization {
                case .none: break
                case .layer: layers.append(.layerNorm(LayerNorm(features: sizes[i])))
                case .batch: layers.append(.batchNorm(BatchNorm(features: sizes[i])))
                }
                layers.append(.activation(activation))
                if dropout > 0 { layers.append(.dropout(probability: dropout)) }
            }
            layers.append(
                .dense(
                    Dense(inputSize: sizes[i], outputSize: sizes[i + 1], initializer: initializer, using: &generator)))
        }
        try self.init(layers: layers, backend: backend)
    }

    /// Features each sample must have (the first dense layer's `inputSize`).
    public var inputSize: Int { plan.inputSize }
    /// Width of the last module's output.
    public var outputSize: Int { plan.outputSize }
    /// Number of trainable scalars (all weights and biases).
    public var parameterCount: Int { parameterStorage.count }

    /// The modules in order with their current parameters, gradients and running statistics.
    /// Module `i` is stored under `{i}.…` in a model file (see ``ModelFile``).
    public var layers: [Layer<T>] {
        plan.modules.map { module in
            switch module {
            case .activation(let a):
                return .activation(a)
            case .dropout(let p):
                return .dropout(probability: p)
            case .dense(let inputs, let outputs, let offset):
                return .dense(dense(inputs, outputs, offset))
            case .layerNorm(let f, let eps, let offset):
                var l = LayerNorm<T>(
                    unchecked: Array(parameterStorage[offset..<(offset + f)]),
                    bias: Array(parameterStorage[(offset + f)..<(offset + 2 * f)]), epsilon: eps)
                l.weightGradient = Array(gradientStorage[offset..<(offset + f)])
                l.biasGradient = Array(gradientStorage[(offset + f)..<(offset + 2 * f)])
                return .layerNorm(l)
            case .batchNorm(let f, let eps, let momentum, let offset, let statistics, let counter):
                var b = BatchNorm<T>(
                    unchecked: Array(parameterStorage[offset..<(offset + f)]),
                    bias: Array(parameterStorage[(offset + f)..<(offset + 2 * f)]),
                    runningMean: Array(statisticsStorage[statistics..<(statistics + f)]),
                    runningVariance: Array(statisticsStorage[(statistics + f)..<(statistics + 2 * f)]),
                    batchesTracked: batchesTracked[counter], epsilon: eps, momentum: momentum)
                b.weightGradient = Array(gradientStorage[offset..<(offset + f)])
                b.biasGradient = Array(gradientStorage[(offset + f)..<(offset + 2 * f)])
                return .batchNorm(b)
            }
        }
    }

    /// The dense layer at module index `index`, with its gradients, or `nil` if that module is
    /// not dense or out of range.
    public func dense(at index: Int) -> Dense<T>? {
        guard plan.modules.indices.contains(index), case .dense(let i, let o, let offset) = plan.modules[index] else {
            return nil
        }
        return dense(i, o, offset)
    }

    /// Seeds the generator dropout masks are drawn from (``Network/fit(_:_:loss:optimizer:configuration:validation:progress:epochEnded:)``
    /// seeds it from its configuration's seed).
    public mutating func seedDropout(_ seed: UInt64) {
        dropoutGenerator = SeededGenerator(seed: seed)
    }

    /// Whether the network has batch normalisation (whose training needs batches of two rows
    /// or more).
    public var hasBatchNormalization: Bool { plan.needsTwoRowsToTrain }

    /// Replaces the parameters of the dense module at `index` (same shapes required).
    /// - Throws: ``ShapeError`` if `index` is not a dense module or the shapes differ.
    public mutating func setDense(_ layer: Dense<T>, at index: Int) throws(ShapeError) {
        guard plan.modules.indices.contains(index), case .dense(let i, let o, let offset) = plan.modules[index],
            layer.inputSize == i, layer.outputSize == o
        else {
            throw ShapeError(
                operation: "Network.setDense", shapes: [.init("weight", layer.weight.shape)],
                reason: "module \(index) is not a dense layer of this shape")
        }
        parameterStorage.replaceSubrange(offset..<(offset + i * o), with: layer.weight.elements)
        parameterStorage.replaceSubrange((offset + i * o)..<(offset + i * o + o), with: layer.bias)
    }

    /// Every parameter in one vector, module by module: `W` row-major, then `b` for a dense
    /// layer; `w`, then `b` for a normalisation.
    public var parameters: [T] { parameterStorage }

    /// dL/dparameter from the last ``lossAndGradients(for:targets:loss:inputGradient:mode:)``, laid out
    /// as ``parameters``.
    public var gradients: [T] { gradientStorage }

    /// Replaces every parameter (layout of ``parameters``).
    /// - Throws: ``ShapeError`` if the count differs from ``parameterCount``.
    public mutating func setParameters(_ values: [T]) throws(ShapeError) {
        guard values.count == parameterStorage.count else {
            throw ShapeError(
                operation: "Network.setParameters",
                shapes: [.init("values", [values.count]), .init("parameters", [parameterCount])],
                reason: "one value per parameter needed")
        }
        parameterStorage = values
    }

    /// dL/dX `[batch, inputSize]` from the last ``lossAndGradients(for:targets:loss:inputGradient:mode:)``
    /// called with `inputGradient: true` (zeros otherwise).
    public var inputGradient: Matrix<T> {
        let n = lastBatch * plan.inputSize
        let start = unitsStart + plan.inputGradientUnit * lastBatch
        let elements = n == 0 ? [] : Array(workspace[start..<(start + n)])
        return (try? Matrix(rows: lastBatch, columns: plan.inputSize, elements: elements))
            ?? Matrix(rows: 0, columns: plan.inputSize)
    }

    private func dense(_ inputs: Int, _ outputs: Int, _ offset: Int) -> Dense<T> {
        let biasOffset = offset + inputs * outputs
        let w = Array(parameterStorage[offset..<biasOffset])
        let b = Array(parameterStorage[biasOffset..<(biasOffset + outputs)])
        let gw = Array(gradientStorage[offset..<biasOffset])
        let gb = Array(gradientStorage[biasOffset..<(biasOffset + outputs)])
        // The element counts match the module's shape by construction.
        var d = Dense<T>(unchecked: Matrix(rows: outputs, columns: inputs, elementsUnchecked: w), bias: b)
        d.weightGradient = Matrix(rows: outputs, columns: inputs, elementsUnchecked: gw)
        d.biasGradient = gb
        return d
    }
}

extension Dense {
    /// A layer whose bias length is known to match.
    init(unchecked weight: Matrix<T>, bias: [T]) {
        self.weight = weight
        self.bias = bias
        self.weightGradient = Matrix(rows: weight.rows, columns: weight.columns)
        self.biasGradient = [T](repeating: 0, count: bias.count)
    }
}

extension Matrix {
    /// A matrix over `elements` whose count is known to be `rows * columns`.
    init(rows: Int, columns: Int, elementsUnchecked elements: [T]) {
        precondition(elements.count == rows * columns, "Matrix element count mismatch")
        self.init(rows: 0, columns: 0)
        self = (try? Matrix(rows: rows, columns: columns, elements: elements)) ?? Matrix(rows: rows, columns: columns)
    }
}
