import Glibc
import Testing

@testable import Perceptron

private typealias Support = FormatTestSupport

@Test(.enabled(if: GzipReader.isAvailable, "needs the Zlib trait"))
func tinyDatasetLoadsScaledPixelsAndLabels() throws {
    try check(Float.self)
    try check(Double.self)
    func check<T: Scalar>(_: T.Type) throws {
        let data = try MNISTDataset<T>(directory: Support.fixture("mnist-tiny"))
        #expect(data.train.images.shape == [4, 6] && data.test.images.shape == [2, 6])
        #expect(data.train.labels == [0, 1, 2, 3] && data.test.labels == [0, 1])
        #expect(data.train.imageSize == (2, 3))
        // pixel (n, r, c) = 40 n + 10 r + c, scaled by 1/255 (division, correctly rounded).
        #expect(data.train.images[3, 5] == T(40 * 3 + 10 + 2) / 255)
        #expect(data.classCount == 4)
        #expect(data.train.images.elements.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}

@Test func missingFileIsNamed() throws {
    let folder = Support.temporaryFolder()
    let e = Support.formatError { () throws(FormatError) in try MNISTDataset<Float>(directory: folder) }
    #expect(e?.kind == .missingFile)
    #expect(e?.description.contains("\(folder)/train-images-idx3-ubyte") == true)
}

@Test(.enabled(if: GzipReader.isAvailable, "needs the Zlib trait"))
func plainAndGzipFilesMixInOneFolder() throws {
    let folder = Support.temporaryFolder()
    for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
        let file = try IDXFile.read(from: Support.fixture("mnist-tiny/\(name).gz"))
        try file.write(to: "\(folder)/\(name)")
    }
    #expect(try MNISTDataset<Float>(directory: folder) == MNISTDataset<Float>(directory: Support.fixture("mnist-tiny")))
}

@Test func labelCountMismatchIsRejectedNamingBothFiles() throws {
    let folder = Support.temporaryFolder()
    let images = try IDXFile(elementType: .uint8, dimensions: [3, 2, 2], data: Array(repeating: 0, count: 12))
    let labels = try IDXFile(elementType: .uint8, dimensions: [2], data: [1, 2])
    try images.write(to: "\(folder)/i")
    try labels.write(to: "\(folder)/l")
    let e = Support.formatError { () throws(FormatError) in try LabeledImages<Float>.read(images: "\(folder)/i", labels: "\(folder)/l") }
    #expect(e?.kind == .countMismatch)
    #expect(e?.description.contains("\(folder)/l") == true)
    #expect(e?.description.contains("\(folder)/i") == true)
    let wrongRank = Support.formatError { () throws(FormatError) in
        try LabeledImages<Float>.read(images: "\(folder)/l", labels: "\(folder)/l")
    }
    #expect(wrongRank?.kind == .invalidHeader)
}

@Test(
    .enabled(if: GzipReader.isAvailable, "needs the Zlib trait"),
    .enabled(if: access("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", R_OK) == 0, "needs dataset-fashion-mnist"))
func fashionMNISTTestSplitHasTenThousandLabelledImages() throws {
    let dir = MNISTDataset<Float>.fashionMNISTDirectory
    let test = try LabeledImages<Float>.read(
        images: "\(dir)/t10k-images-idx3-ubyte.gz", labels: "\(dir)/t10k-labels-idx1-ubyte.gz")
    #expect(test.images.shape == [10_000, 784])
    #expect(test.labels.first == 9)  // the first Fashion-MNIST test image is an ankle boot
    #expect(Set(test.labels) == Set(0..<10))
}
