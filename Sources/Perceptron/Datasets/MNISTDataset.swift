/// MNIST-format data set: a training and a test split of labelled 28×28 images.
///
/// A folder holds four IDX files, each plain or gzip-compressed (`.gz` is tried second):
/// `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
/// `t10k-labels-idx1-ubyte`. Fashion-MNIST (Debian package `dataset-fashion-mnist`) and MNIST
/// both use these names.
public struct MNISTDataset<T: Scalar>: Sendable, Equatable {
    /// The training split (60 000 images in (Fashion-)MNIST).
    public var train: LabeledImages<T>
    /// The test split (10 000 images in (Fashion-)MNIST).
    public var test: LabeledImages<T>

    /// Where Debian's `dataset-fashion-mnist` installs Fashion-MNIST.
    public static var fashionMNISTDirectory: String { "/usr/share/datasets/fashion-mnist" }

    /// The number of classes: one more than the largest label in either split (10 for MNIST).
    public var classCount: Int { max(train.labels.max() ?? -1, test.labels.max() ?? -1) + 1 }

    /// Loads both splits from `directory`.
    /// - Throws: ``FormatError`` naming the missing or malformed file, or the split whose image
    ///   sizes differ from the training split's.
    public init(directory: String = MNISTDataset.fashionMNISTDirectory) throws(FormatError) {
        func locate(_ name: String) throws(FormatError) -> String {
            let base = directory.hasSuffix("/") ? "\(directory)\(name)" : "\(directory)/\(name)"
            for candidate in [base, base + ".gz"] where FileSystem.isRegularFile(candidate) { return candidate }
            throw FormatError(
                file: base, kind: .missingFile, expected: "\(name) or \(name).gz in \(directory)",
                found: "neither")
        }
        train = try .read(images: locate("train-images-idx3-ubyte"), labels: locate("train-labels-idx1-ubyte"))
        let testImages = try locate("t10k-images-idx3-ubyte")
        test = try .read(images: testImages, labels: locate("t10k-labels-idx1-ubyte"))
        guard test.imageSize == train.imageSize else {
            throw FormatError(
                file: testImages, offset: 8, kind: .countMismatch,
                expected: "\(train.imageSize.height)×\(train.imageSize.width) images like the training split",
                found: "\(test.imageSize.height)×\(test.imageSize.width)")
        }
    }
}
