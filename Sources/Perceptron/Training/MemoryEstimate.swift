/// The memory a training run needs, estimated from its sizes before anything is allocated, so
/// that a size typed by a person (`--hidden 100000,100000`, a batch of 10⁸, a class label of 2⁴⁰)
/// is refused in one line instead of ending the process when an allocation fails.
///
/// All arithmetic is in `Double`: sizes far beyond `Int` give a large estimate, never an overflow.
/// Figures are in bytes:
/// - parameters: Σ over linear layers of `in·out + out` scalars (normalisation adds `2·width` per
///   hidden layer, counted when asked for);
/// - gradients: as many scalars as the parameters;
/// - optimizer state: `optimizerStateCopies` more (Adam's two moments: 2; SGD with momentum: 1);
/// - batch workspace: `batch · (6·Σ widths + input width + output width)` scalars — each
///   module's outputs and gradients for the largest batch taken, and the gathered batch;
/// - checkpoint: three more copies of the parameters while a checkpoint is saved (the layers'
///   parameters taken out of the network, each tensor's bytes, the encoded file);
/// - data: what the samples and targets occupy (given by the caller).
public struct MemoryEstimate: Sendable, Equatable {
    /// Bytes of the parameters.
    public var parameters: Double
    /// Bytes of the parameter gradients.
    public var gradients: Double
    /// Bytes of the optimizer's per-parameter state.
    public var optimizerState: Double
    /// Bytes of the per-batch workspace.
    public var batchWorkspace: Double
    /// Bytes held while a checkpoint is encoded and written.
    public var checkpoint: Double
    /// Bytes of the training data.
    public var data: Double

    /// The sum of the parts.
    public var total: Double { parameters + gradients + optimizerState + batchWorkspace + checkpoint + data }

    /// The estimate for a network of layer widths `widths` (input, hidden…, output) in scalars of
    /// `scalarBytes` bytes, trained in batches of `batch` rows with `optimizerStateCopies` state
    /// scalars per parameter, on data of `dataBytes` bytes.
    public init(
        widths: [Int], scalarBytes: Int, batch: Int, optimizerStateCopies: Int, normalization: Bool = false,
        dataBytes: Double
    ) {
        let w = widths.map(Double.init)
        var parameterCount = 0.0
        for i in w.indices.dropFirst() {
            parameterCount += w[i - 1] * w[i] + w[i]
            if normalization && i < w.count - 1 { parameterCount += 2 * w[i] }
        }
        let size = Double(scalarBytes)
        parameters = parameterCount * size
        gradients = parameters
        optimizerState = Double(optimizerStateCopies) * parameters
        let perSample = 6 * w.dropFirst().reduce(0, +) + (w.first ?? 0) + (w.last ?? 0)
        batchWorkspace = Double(batch) * perSample * size
        checkpoint = 3 * parameters
        data = dataBytes
    }

    /// The bytes this process may still allocate: the kernel's `MemAvailable` (from
    /// `/proc/meminfo`), lowered to what the control group's `memory.max` leaves above its
    /// `memory.current` when that is smaller; `nil` when neither can be read.
    public static func availableBytes() -> Double? {
        var available: Double?
        if let bytes = FileSystem.readKernelFile("/proc/meminfo") {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kibibytes = Double(fields[1]) { available = kibibytes * 1024 }
            }
        }
        func number(_ path: String) -> Double? {
            FileSystem.readKernelFile(path).flatMap {
                String(decoding: $0, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).first
                    .flatMap { Double($0) }
            }
        }
        if let limit = number("/sys/fs/cgroup/memory.max"), let used = number("/sys/fs/cgroup/memory.current") {
            available = min(available ?? .infinity, max(limit - used, 0))
        }
        return available
    }

    /// `bytes` for a person: `512 B`, `31.0 MB`, `160.1 GB` (powers of 1000).
    public static func describe(_ bytes: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(Int(value)) B" }
        let tenths = (value * 10).rounded()
        return tenths >= 1e6 ? "\(value) \(units[unit])" : "\(Int(tenths) / 10).\(Int(tenths) % 10) \(units[unit])"
    }
}
