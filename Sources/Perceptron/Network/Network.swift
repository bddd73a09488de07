/// A sequential network of dense layers and activations, trained and run on a ``Backend``.
///
/// Parameters live in one flat vector, layer by layer (`W` row-major, then `b`), so an optimizer
/// updates them in one loop; ``layers`` materialises them as ``Dense`` values. A workspace sized
/// for the largest batch seen so far is allocated once and reused: after the first call at a
/// given batch size, ``lossAndGradients(for:targets:loss:inputGradient:)`` and
/// ``predict(_:into:)`` allocate nothing.
///
/// Conventions: batch-first (`X` `[batch, in]`), `W` stored `[out, in]`, `Y = X·Wᵀ + b`.
public struct Network<T: Scalar>: Sendable {
    /// The kernels the network runs on.
    public var backend: any Backend
    var plan: ExecutionPlan
    /// All parameters: for each dense layer, `W` `[out, in]` row-major, then `b` `[out]`.
    var parameterStorage: [T]
    /// dL/dparameter from the last backward pass, laid out as ``parameterStorage``.
    var gradientStorage: [T]
    /// Activations, gradients, pre-activations and the input gradient; see ``ExecutionPlan``.
    var workspace: [T] = []
    /// The batch size the workspace has room for (the ones vector's length).
    var workspaceCapacity = 0
    /// The batch size of the last forward pass.
    var lastBatch = 0

    /// A network of `layers` in order.
    ///
    /// Each dense layer's `inputSize` must equal the width reaching it (the previous dense layer's
    /// `outputSize`; activations keep the width). Gradients stored in the layers are kept.
    /// - Throws: ``ShapeError`` if two consecutive dense layers disagree or there is no dense layer.
    public init(layers: [Layer<T>], backend: any Backend = defaultBackend()) throws(ShapeError) {
        guard let first = layers.lazy.compactMap(\.dense).first else {
            throw ShapeError(
                operation: "Network.init", shapes: [], reason: "a network needs at least one dense layer")
        }
        var modules: [ExecutionPlan.Module] = []
        var parameters: [T] = []
        var gradients: [T] = []
        var width = first.inputSize
        for (i, layer) in layers.enumerated() {
            switch layer {
            case .dense(let d):
                guard d.inputSize == width else {
                    throw ShapeError(
                        operation: "Network.init",
                        shapes: [.init("layer \(i) weight", d.weight.shape), .init("incoming", [width])],
                        reason: "layer \(i) expects \(d.inputSize) inputs but the previous layer gives \(width)")
                }
                modules.append(
                    .dense(.init(inputSize: d.inputSize, outputSize: d.outputSize, weightOffset: parameters.count)))
                parameters += d.weight.elements
                parameters += d.bias
                gradients += d.weightGradient.elements
                gradients += d.biasGradient
                width = d.outputSize
            case .activation(let a):
                modules.append(.activation(a))
            }
        }
        self.backend = backend
        self.plan = ExecutionPlan(modules: modules, inputSize: first.inputSize)
        self.parameterStorage = parameters
        self.gradientStorage = gradients
    }

    /// A multilayer perceptron of dense layers of the given widths, with `activation` after each
    /// but the last: `sizes = [784, 256, 128, 10]` gives
    /// `linear, relu, linear, relu, linear` (modules 0…4).
    /// - Throws: ``ShapeError`` if fewer than two sizes are given or one is not positive.
    public init(
        sizes: [Int], activation: Activation = .relu, initializer: Initializer = .he,
        using generator: inout SeededGenerator, backend: any Backend = defaultBackend()
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
            if i > 0 { layers.append(.activation(activation)) }
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

    /// The modules in order with their current parameters and gradients. Module `i` that is dense
    /// is stored as `{i}.weight`, `{i}.bias` in a model file.
    public var layers: [Layer<T>] {
        plan.modules.map { module in
            switch module {
            case .activation(let a):
                return .activation(a)
            case .dense(let slot):
                return .dense(dense(slot))
            }
        }
    }

    /// The dense layer at module index `index`, with its gradients, or `nil` if that module is an
    /// activation or out of range.
    public func dense(at index: Int) -> Dense<T>? {
        guard plan.modules.indices.contains(index), case .dense(let slot) = plan.modules[index] else { return nil }
        return dense(slot)
    }

    /// Replaces the parameters of the dense module at `index` (same shapes required).
    /// - Throws: ``ShapeError`` if `index` is not a dense module or the shapes differ.
    public mutating func setDense(_ layer: Dense<T>, at index: Int) throws(ShapeError) {
        guard plan.modules.indices.contains(index), case .dense(let slot) = plan.modules[index],
            layer.inputSize == slot.inputSize, layer.outputSize == slot.outputSize
        else {
            throw ShapeError(
                operation: "Network.setDense", shapes: [.init("weight", layer.weight.shape)],
                reason: "module \(index) is not a dense layer of this shape")
        }
        parameterStorage.replaceSubrange(slot.weightOffset..<slot.biasOffset, with: layer.weight.elements)
        parameterStorage.replaceSubrange(slot.biasOffset..<(slot.biasOffset + slot.outputSize), with: layer.bias)
    }

    /// Every parameter in one vector: for each dense layer in order, `W` row-major, then `b`.
    public var parameters: [T] { parameterStorage }

    /// dL/dparameter from the last ``lossAndGradients(for:targets:loss:inputGradient:)``, laid out
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

    /// dL/dX `[batch, inputSize]` from the last ``lossAndGradients(for:targets:loss:inputGradient:)``
    /// called with `inputGradient: true` (zeros otherwise).
    public var inputGradient: Matrix<T> {
        let n = lastBatch * plan.inputSize
        let start = workspaceCapacity + plan.inputGradientUnit * lastBatch
        let elements = n == 0 ? [] : Array(workspace[start..<(start + n)])
        return (try? Matrix(rows: lastBatch, columns: plan.inputSize, elements: elements))
            ?? Matrix(rows: 0, columns: plan.inputSize)
    }

    private func dense(_ slot: ExecutionPlan.DenseSlot) -> Dense<T> {
        let w = Array(parameterStorage[slot.weightOffset..<slot.biasOffset])
        let b = Array(parameterStorage[slot.biasOffset..<(slot.biasOffset + slot.outputSize)])
        let gw = Array(gradientStorage[slot.weightOffset..<slot.biasOffset])
        let gb = Array(gradientStorage[slot.biasOffset..<(slot.biasOffset + slot.outputSize)])
        // The element counts match the slot's shape by construction.
        var d = Dense<T>(
            unchecked: Matrix(rows: slot.outputSize, columns: slot.inputSize, elementsUnchecked: w), bias: b)
        d.weightGradient = Matrix(rows: slot.outputSize, columns: slot.inputSize, elementsUnchecked: gw)
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
