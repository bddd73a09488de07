/// Comparing Perceptron with a reference fixture.
extension ReferenceCase {
    /// The largest relative error (see ``Discrepancy``) that passes against a fixture computed
    /// in `precision`, for outputs and gradients or, with `trained`, for parameters after
    /// training.
    ///
    /// - float64: 1e-10 for outputs and gradients. PyTorch and Perceptron round independently
    ///   (u = 1.1e-16); the fixtures' dot products have at most 33 terms and at most 4 layers
    ///   forward and back, so a correct implementation stays near 1e-15 of a tensor's scale,
    ///   while any formula error shows at 1e-3 or more. 1e-8 after training: every step feeds
    ///   the previous step's rounding into the next one (up to 27 steps here), and Adam's
    ///   `m / (√v + ε)` amplifies the relative error of tiny gradients.
    /// - float32: 1e-5 for outputs and gradients, 1e-4 after training. Both sides round in
    ///   binary32 (u = 6e-8, 5e8 times coarser than float64), so a correct implementation lands
    ///   at a few u of a tensor's scale (the fixtures show at most 2.8e-7); 1e-5 is the Float
    ///   tolerance issue 4 sets for the backends' agreement, still 100× below the 1e-3 a formula
    ///   error gives. Training compounds rounding over the steps, hence 10× more.
    public static func tolerance(for precision: Precision, trained: Bool) -> Double {
        switch (precision, trained) {
        case (.float64, false): 1e-10
        case (.float64, true): 1e-8
        case (.float32, false): 1e-5
        case (.float32, true): 1e-4
        }
    }

    /// Runs Perceptron on the case and compares with the fixture: one check for the forward
    /// pass (`logits`, `output`, `loss`), one for every gradient (each parameter and `input`)
    /// and, for a training case, one for the parameters after training.
    /// - Throws: ``FormatError`` naming the file when the fixture is inconsistent (missing
    ///   tensor, wrong shape or dtype, model metadata Perceptron cannot read).
    public func checks(backend: any Backend = defaultBackend()) throws(FormatError) -> [VerificationCheck] {
        switch precision {
        case .float32: try checks(as: Float.self, backend: backend)
        case .float64: try checks(as: Double.self, backend: backend)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func checks<T: Scalar>(as type: T.Type, backend: any Backend) throws(FormatError) -> [VerificationCheck] {
        let saved = try ModelFile.decode(model, file: path("model.safetensors"), as: T.self, backend: backend)
        var network = saved.network
        let loss: Loss
        do {
            loss = try Loss(saved.loss.kind, labelSmoothing: labelSmoothing, classWeights: classWeights)
        } catch {
            throw FormatError(file: path("case.json"), kind: .invalidMetadata, expected: "valid loss options", found: "\(error)")
        }
        let x = try matrix(input, as: T.self, file: path("input.npy"))
        let t = try targetValues(as: T.self, loss: loss)
        let expectedFile = path("expected.safetensors")
        let tolerance = Self.tolerance(for: precision, trained: false)

        // Forward: logits, the head's output, the loss.
        let logits: Matrix<T>
        let value: T
        do {
            // One pass in the case's mode, as the fixture's single `model(x)`: a second pass in
            // training mode would update batch normalisation's running statistics again.
            value = try network.lossAndGradients(for: x, targets: t, loss: loss, inputGradient: true, mode: mode)
            logits = network.lastOutput
        } catch {
            throw FormatError(file: path("input.npy"), kind: .tensorMismatch, expected: "data that fit the model", found: "\(error)")
        }
        let head = loss.head(logits)
        let forward = try compare(logits.elements, shape: logits.shape, to: "logits", in: expected, file: expectedFile)
            .merged(with: try compare(head.elements, shape: head.shape, to: "output", in: expected, file: expectedFile))
            .merged(with: try compare([value], shape: [], to: "loss", in: expected, file: expectedFile))

        // Gradients: the file `perceptron gradients` writes (every parameter under its model-file
        // name, and `input`), tensor by tensor; `expected` must hold nothing else.
        var gradientFile = ModelFile.gradients(of: network, loss: loss, lossValue: value)
        gradientFile.tensors["loss"] = nil
        var expectedGradients = expected
        // dL/db of a linear layer feeding batch normalisation in training mode is exactly 0
        // (the normalisation removes any constant), so both sides hold rounding noise of the
        // size of the terms summed, dL/dZ: such a bias is compared together with its weight,
        // norm-wise over the module's parameters, not against its own (noise) scale.
        if mode == .training {
            let layers = network.layers
            for i in layers.indices.dropLast() {
                guard case .dense = layers[i], case .batchNorm = layers[i + 1] else { continue }
                try mergeBias(ofModule: i, in: &gradientFile, file: expectedFile)
                try mergeBias(ofModule: i, in: &expectedGradients, file: expectedFile)
            }
        }
        let gradients = try compare(
            gradientFile, to: expectedGradients, file: expectedFile, alsoExpected: ["logits", "output", "loss"])
        var result = [
            VerificationCheck(name: "reference \(name) forward", discrepancy: forward, tolerance: tolerance),
            VerificationCheck(name: "reference \(name) gradients", discrepancy: gradients, tolerance: tolerance),
        ]

        // Training from the same starting point, through the training loop; then the model file
        // Perceptron would save against `trained.safetensors`.
        if let training, let trained {
            var after: Discrepancy
            do throws(TrainingError) {
                let history = try training.train(&network, input: x, targets: t, loss: loss)
                after = .zero
                if let rates = training.learningRates {
                    // The schedule's rates per epoch (the plateau's depend on validation losses).
                    let actual = history.epochs.map(\.learningRate)
                    after =
                        actual.count == rates.count
                        ? Discrepancy(actual: actual, expected: rates, name: "learning_rates")
                        : Discrepancy(
                            maxAbsoluteError: .infinity, maxRelativeError: .infinity,
                            worst: "learning_rates: \(actual.count) epochs trained, \(rates.count) expected")
                }
            } catch {
                // Training that stops is Perceptron's failure, not the fixture's: a failing row.
                after = Discrepancy(maxAbsoluteError: .infinity, maxRelativeError: .infinity, worst: "\(error)")
            }
            if after.maxRelativeError.isFinite {
                after = after.merged(
                    with: try compare(ModelFile.encode(network, loss: loss), to: trained, file: path("trained.safetensors")))
            }
            result.append(
                VerificationCheck(
                    name: "reference \(name) trained", discrepancy: after, tolerance: Self.tolerance(for: precision, trained: true)))
        }
        return result
    }

    /// Replaces `{i}.weight` and `{i}.bias` of `file` by one vector `{i}.weight+bias` (the
    /// weight's elements, then the bias's).
    private func mergeBias(ofModule i: Int, in file: inout SafetensorsFile, file path: String) throws(FormatError) {
        guard let w = file.tensors["\(i).weight"], let b = file.tensors["\(i).bias"], w.dtype == b.dtype else {
            throw FormatError(
                file: path, kind: .missingTensor, expected: "tensors \"\(i).weight\" and \"\(i).bias\" of one dtype",
                found: "not both")
        }
        file.tensors["\(i).weight"] = nil
        file.tensors["\(i).bias"] = nil
        file.tensors["\(i).weight+bias"] = try Tensor(dtype: w.dtype, shape: [w.count + b.count], bytes: w.bytes + b.bytes)
    }

    /// The targets for `loss`: class indices from an integer tensor `[N]`, otherwise rows
    /// `[N, C]` (probabilities for the cross-entropies, values for mse and bce).
    func targetValues<T: Scalar>(as type: T.Type, loss: Loss) throws(FormatError) -> Targets<T> {
        let file = path("targets.npy")
        if !targets.dtype.isFloatingPoint {
            guard targets.shape.count == 1 else {
                throw FormatError(file: file, kind: .tensorMismatch, expected: "class indices of shape [N]", found: "shape \(targets.shape)")
            }
            do { return .classes(try targets.integers()) } catch { throw error.located(file) }
        }
        let m = try matrix(targets, as: T.self, file: file)
        switch loss.kind {
        case .crossEntropy, .categoricalCrossEntropy: return .probabilities(m)
        case .mse, .bce: return .values(m)
        }
    }
}

/// `values` (shape `shape`) against the tensor `name` of `file`: the tensor must exist and have
/// exactly that shape and `T`'s dtype.
func compare<T: Scalar>(
    _ values: [T], shape: [Int], to name: String, in file: SafetensorsFile, file path: String
) throws(FormatError) -> Discrepancy {
    guard let tensor = file.tensors[name] else {
        throw FormatError(file: path, kind: .missingTensor, expected: "tensor \(JSON.quote(name)) \(shape)", found: "no such tensor")
    }
    guard tensor.shape == shape, tensor.dtype == DType(T.precision) else {
        throw FormatError(
            file: path, kind: .tensorMismatch, expected: "\(name) as \(DType(T.precision)) \(shape)",
            found: "\(tensor.dtype) \(tensor.shape)")
    }
    let expected: [T]
    do { expected = try tensor.scalars(as: T.self) } catch { throw error.located(path) }
    return Discrepancy(actual: values, expected: expected, name: name)
}

/// Every tensor of `actual` against the tensor of the same name in `expected` (same shape and
/// dtype required); `expected` may hold only those names and `alsoExpected`.
func compare(
    _ actual: SafetensorsFile, to expected: SafetensorsFile, file path: String, alsoExpected: Set<String> = []
) throws(FormatError) -> Discrepancy {
    if let extra = expected.tensors.keys.sorted().first(where: { actual.tensors[$0] == nil && !alsoExpected.contains($0) }) {
        throw FormatError(
            file: path, kind: .unexpectedTensor, expected: "only " + actual.tensors.keys.sorted().joined(separator: ", "),
            found: "tensor \(JSON.quote(extra))")
    }
    var result = Discrepancy.zero
    for name in actual.tensors.keys.sorted() {
        guard let tensor = actual.tensors[name] else { continue }
        switch tensor.dtype {
        case .int64, .int32, .uint8:
            // Counters (`num_batches_tracked`): compared as exact integers.
            guard let other = expected.tensors[name], other.dtype == tensor.dtype, other.shape == tensor.shape else {
                throw FormatError(
                    file: path, kind: .tensorMismatch, expected: "\(name) as \(tensor.dtype) \(tensor.shape)",
                    found: expected.tensors[name].map { "\($0.dtype) \($0.shape)" } ?? "no such tensor")
            }
            let a = try tensor.integers().map(Double.init)
            let b = try other.integers().map(Double.init)
            result = result.merged(with: Discrepancy(actual: a, expected: b, name: name))
        case .float64:
            let values = try tensor.scalars(as: Double.self)
            result = result.merged(with: try compare(values, shape: tensor.shape, to: name, in: expected, file: path))
        default:
            let values = try tensor.scalars(as: Float.self)
            result = result.merged(with: try compare(values, shape: tensor.shape, to: name, in: expected, file: path))
        }
    }
    return result
}

/// A rank-2 tensor of exactly `T`'s dtype as a matrix.
func matrix<T: Scalar>(_ tensor: Tensor, as type: T.Type, file: String) throws(FormatError) -> Matrix<T> {
    guard tensor.dtype == DType(T.precision) else {
        throw FormatError(file: file, kind: .tensorMismatch, expected: "\(DType(T.precision)) data", found: "\(tensor.dtype) \(tensor.shape)")
    }
    do { return try tensor.matrix(as: T.self) } catch { throw error.located(file) }
}

extension FormatError {
    /// The same error with `file` in place of `"<memory>"`.
    func located(_ path: String) -> FormatError {
        var copy = self
        if copy.file == "<memory>" { copy.file = path }
        return copy
    }
}
