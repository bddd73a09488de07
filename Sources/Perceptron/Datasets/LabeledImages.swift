/// Images as rows of a matrix, pixels scaled to [0, 1], with one class label per row.
public struct LabeledImages<T: Scalar>: Sendable, Equatable {
    /// `[count, height · width]`: row `i` is image `i` in row-major pixel order, `pixel / 255`.
    public var images: Matrix<T>
    /// The class of each image, `labels.count == images.rows`.
    public var labels: [Int]
    /// The height and width of one image.
    public var imageSize: (height: Int, width: Int) { (height, width) }

    private var height: Int
    private var width: Int

    /// Pairs images with labels.
    /// - Throws: ``FormatError`` (``FormatError/Kind/countMismatch``) if the counts differ or
    ///   `height · width != images.columns`.
    public init(images: Matrix<T>, labels: [Int], height: Int, width: Int) throws(FormatError) {
        let (pixels, overflow) = height.multipliedReportingOverflow(by: width)
        guard images.rows == labels.count, height >= 0, width >= 0, !overflow, pixels == images.columns else {
            throw FormatError(
                file: "<memory>", kind: .countMismatch,
                expected: "\(labels.count) images of \(height)×\(width) pixels",
                found: "images [\(images.rows), \(images.columns)]")
        }
        self.images = images
        self.labels = labels
        self.height = height
        self.width = width
    }

    /// Reads an IDX image file (`[N, height, width]`, unsigned bytes) and an IDX label file
    /// (`[N]`, unsigned bytes), plain or gzip.
    ///
    /// Pixels are decoded straight into the matrix storage as `pixel / 255` (correctly rounded
    /// in `T`, the same values as PyTorch's `ToTensor`).
    /// - Throws: ``FormatError`` naming the file: missing, malformed, not unsigned bytes, of the
    ///   wrong rank, or whose counts disagree (``FormatError/Kind/countMismatch``).
    public static func read(images imagesPath: String, labels labelsPath: String) throws(FormatError) -> LabeledImages {
        let imageFile = try IDXFile.read(from: imagesPath)
        let labelFile = try IDXFile.read(from: labelsPath)
        guard imageFile.elementType == .uint8, imageFile.dimensions.count == 3 else {
            throw FormatError(
                file: imagesPath, offset: 2, kind: .invalidHeader, expected: "unsigned-byte images [count, height, width]",
                found: "\(imageFile.elementType) data with dimensions \(imageFile.dimensions)")
        }
        guard labelFile.elementType == .uint8, labelFile.dimensions.count == 1 else {
            throw FormatError(
                file: labelsPath, offset: 2, kind: .invalidHeader, expected: "unsigned-byte labels [count]",
                found: "\(labelFile.elementType) data with dimensions \(labelFile.dimensions)")
        }
        let count = imageFile.dimensions[0]
        guard labelFile.dimensions[0] == count else {
            throw FormatError(
                file: labelsPath, offset: 4, kind: .countMismatch,
                expected: "\(count) labels, one per image in \(imagesPath)", found: "\(labelFile.dimensions[0])")
        }
        let (height, width) = (imageFile.dimensions[1], imageFile.dimensions[2])
        let images = scaledPixels(imageFile.data, rows: count, columns: height * width, as: T.self)
        let labels = labelFile.data.map { Int($0) }
        return LabeledImages(validatedImages: images, labels: labels, height: height, width: width)
    }

    private init(validatedImages images: Matrix<T>, labels: [Int], height: Int, width: Int) {
        self.images = images
        self.labels = labels
        self.height = height
        self.width = width
    }

    /// `pixels[i] / 255` into a `[rows, columns]` matrix, through a 256-entry table.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func scaledPixels(_ pixels: [UInt8], rows: Int, columns: Int, as: T.Type) -> Matrix<T> {
        let table = (0..<256).map { T($0) / 255 }
        var m = Matrix<T>(rows: rows, columns: columns)
        m.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { p in
                table.withUnsafeBufferPointer { t in
                    for i in 0..<out.count { out[i] = t[Int(p[i])] }
                }
            }
        }
        return m
    }
}
