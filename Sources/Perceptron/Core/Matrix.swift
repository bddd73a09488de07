/// A dense row-major matrix with value semantics.
///
/// Element `(i, j)` lives at `elements[i * columns + j]`. Storage is a Swift array, so copies
/// share memory until one of them is mutated (copy-on-write). A batch of samples is a matrix of
/// shape `[batch, features]`.
public struct Matrix<T: Scalar>: Sendable, Equatable {
    /// Number of rows.
    public private(set) var rows: Int
    /// Number of columns.
    public private(set) var columns: Int
    /// The elements in row-major order; `elements.count == rows * columns`.
    public private(set) var elements: [T]

    /// A `rows × columns` matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: T = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A `rows × columns` matrix over `elements` in row-major order.
    /// - Throws: ``ShapeError`` if `elements.count != rows * columns` or a dimension is negative.
    public init(rows: Int, columns: Int, elements: [T]) throws(ShapeError) {
        guard rows >= 0, columns >= 0,
            rows.multipliedReportingOverflow(by: columns) == (elements.count, false)
        else {
            throw ShapeError(
                operation: "Matrix.init", shapes: [.init("matrix", [rows, columns])],
                reason: "\(elements.count) elements given, \(rows) × \(columns) needed")
        }
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A `rows × columns` matrix over `elements`, whose count the caller guarantees.
    init(rows: Int, columns: Int, uncheckedElements elements: [T]) {
        precondition(rows >= 0 && columns >= 0 && elements.count == rows * columns, "Matrix element count mismatch")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix from equal-length rows.
    /// - Throws: ``ShapeError`` if the rows differ in length.
    public init(_ rowArrays: [[T]]) throws(ShapeError) {
        let width = rowArrays.first?.count ?? 0
        if let bad = rowArrays.firstIndex(where: { $0.count != width }) {
            throw ShapeError(
                operation: "Matrix.init", shapes: [.init("row 0", [width]), .init("row \(bad)", [rowArrays[bad].count])],
                reason: "rows differ in length")
        }
        self.rows = rowArrays.count
        self.columns = width
        self.elements = rowArrays.flatMap { $0 }
    }

    /// A matrix whose element `(i, j)` is `element(i, j)`.
    public init(rows: Int, columns: Int, element: (_ row: Int, _ column: Int) throws -> T) rethrows {
        self.init(rows: rows, columns: columns)
        for i in 0..<rows {
            for j in 0..<columns { elements[i * columns + j] = try element(i, j) }
        }
    }

    /// `[rows, columns]`.
    public var shape: [Int] { [rows, columns] }

    /// `rows * columns`.
    public var count: Int { elements.count }

    /// The element at `(row, column)`. Traps when out of bounds, like `Array`.
    public subscript(row: Int, column: Int) -> T {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            return elements[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            elements[row * columns + column] = newValue
        }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [T] {
        precondition(i >= 0 && i < rows, "Matrix row out of range")
        return Array(elements[i * columns..<(i + 1) * columns])
    }

    /// The rows `range` as a new matrix (a batch slice).
    public func rows(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Matrix row range out of range")
        var m = Matrix(rows: range.count, columns: columns)
        m.elements = Array(elements[range.lowerBound * columns..<range.upperBound * columns])
        return m
    }

    /// The transpose, materialised. Kernels never need this: they pass transpose flags to GEMM.
    public func transposed() -> Matrix {
        Matrix(rows: columns, columns: rows) { i, j in elements[j * columns + i] }
    }

    /// Reinterprets the elements with a new shape of the same element count.
    /// - Throws: ``ShapeError`` if the counts differ.
    public func reshaped(rows newRows: Int, columns newColumns: Int) throws(ShapeError) -> Matrix {
        try Matrix(rows: newRows, columns: newColumns, elements: elements)
    }

    /// Changes the shape to `newRows × newColumns`, reusing the storage when the capacity allows.
    /// The contents afterwards are unspecified (stale values or zeros): callers overwrite them.
    /// Used by workspaces that are resized once per batch size.
    mutating func resize(rows newRows: Int, columns newColumns: Int) {
        let n = newRows * newColumns
        if elements.count != n {
            if n < elements.count {
                elements.removeLast(elements.count - n)
            } else {
                elements.append(contentsOf: repeatElement(0, count: n - elements.count))
            }
        }
        rows = newRows
        columns = newColumns
    }

    /// Calls `body` with the elements in row-major order.
    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<T>) throws(E) -> R
    ) throws(E) -> R {
        let result: Result<R, E> = elements.withUnsafeBufferPointer { buffer in
            do throws(E) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Calls `body` with the mutable elements in row-major order (copying first if shared).
    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<T>) throws(E) -> R
    ) throws(E) -> R {
        let result: Result<R, E> = elements.withUnsafeMutableBufferPointer { buffer in
            do throws(E) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

extension Matrix: CustomStringConvertible {
    /// Rows on separate lines, e.g. `[[1.0, 2.0], [3.0, 4.0]]` for small matrices.
    public var description: String {
        if rows * columns > 400 { return "Matrix<\(T.self)>[\(rows), \(columns)]" }
        let body = (0..<rows).map { i in "[" + row(i).map { "\($0)" }.joined(separator: ", ") + "]" }
        return "[" + body.joined(separator: ",\n ") + "]"
    }
}
