/// A strict JSON reader for file headers, and string quoting for the writers.
///
/// Stricter than RFC 8259 requires where headers need it: duplicate keys in an object are an
/// error (``FormatError/Kind/duplicateName``), integers must fit in `Int`, nesting is limited
/// to ``maximumDepth`` so hostile input cannot exhaust the stack. Objects keep their key order.
enum JSON {
    /// A parsed value. Numbers with a fraction or exponent keep their text.
    ///
    /// Not `indirect`: the arrays already hold nested values out of line, and boxing every
    /// scalar cost about 60 bytes per number (a 100 MB header of `1,1,1,…` took 3 GB; now about
    /// 22 bytes of memory per header byte in the worst case, objects about 13).
    enum Value: Equatable {
        case object([Member])
        case array([Value])
        case string(String)
        case integer(Int)
        case number(String)
        case bool(Bool)
        case null

        /// A name for messages: `"a string"`, `"the integer 3"`.
        var summary: String {
            switch self {
            case .object: "an object"
            case .array: "an array"
            case .string(let s): "the string \(JSON.quote(String(s.prefix(40))))"
            case .integer(let i): "the integer \(i)"
            case .number(let text): "the number \(text)"
            case .bool(let b): "\(b)"
            case .null: "null"
            }
        }
    }

    /// An object member: key, value and the byte offset of the key in the file.
    struct Member: Equatable {
        var key: String
        var value: Value
        var offset: Int
    }

    /// Nesting limit for arrays and objects.
    static let maximumDepth = 64

    /// Parses one JSON value that spans `bytes` (surrounding whitespace allowed).
    /// - Parameters:
    ///   - baseOffset: the offset of `bytes[0]` in the file, for error messages.
    /// - Throws: ``FormatError`` naming the byte offset of the first problem.
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String, baseOffset: Int) throws(FormatError) -> Value {
        var parser = Parser(bytes: bytes, position: 0, file: file, base: baseOffset)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.error("end of the JSON text", found: "more text")
        }
        return value
    }

    /// The value of `text` if it is exactly one JSON number (`0.2`, `-1`, `1e-5`), else `nil`.
    /// A number too large for `Double` reads as ±∞ and is returned as such.
    static func number(_ text: String) -> Double? {
        var text = text
        let value: Value? = text.withUTF8 { bytes in
            guard let first = bytes.first, first == UInt8(ascii: "-") || (first >= 48 && first <= 57) else { return nil }
            return try? parse(UnsafeRawBufferPointer(bytes), file: "", baseOffset: 0)
        }
        switch value {
        case .integer(let i): return Double(i)
        case .number(let t): return Double(t)
        default: return nil
        }
    }

    /// `s` as a JSON string literal, with `"`, `\` and control characters escaped.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var position: Int
        let file: String
        let base: Int

        func error(_ expected: String, found: String, kind: FormatError.Kind = .invalidHeader, at: Int? = nil) -> FormatError {
            FormatError(file: file, offset: base + (at ?? position), kind: kind, expected: expected, found: found)
        }

        var foundHere: String {
            guard position < bytes.count else { return "end of header" }
            let b = bytes[position]
            return b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
        }

        mutating func skipWhitespace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ literal: String, _ value: Value) throws(FormatError) -> Value {
            for (i, b) in literal.utf8.enumerated() {
                guard position + i < bytes.count, bytes[position + i] == b else {
                    throw error("a JSON value", found: foundHere)
                }
            }
            position += literal.utf8.count
            return value
        }

        mutating func value(depth: Int) throws(FormatError) -> Value {
            guard depth < JSON.maximumDepth else {
                throw error("at most \(JSON.maximumDepth) levels of nesting", found: "deeper nesting")
            }
            guard position < bytes.count else { throw error("a JSON value", found: "end of header") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("a JSON value", found: foundHere)
            }
        }

        mutating func object(depth: Int) throws(FormatError) -> Value {
            position += 1
            var members: [Member] = []
            var seen = Set<String>()
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                let keyOffset = position
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                    throw error("a string key", found: foundHere)
                }
                let key = try string()
                guard seen.insert(key).inserted else {
                    throw error("unique keys", found: "\(JSON.quote(key)) twice", kind: .duplicateName, at: keyOffset)
                }
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                    throw error("':'", found: foundHere)
                }
                position += 1
                skipWhitespace()
                let v = try value(depth: depth + 1)
                members.append(Member(key: key, value: v, offset: base + keyOffset))
                skipWhitespace()
                guard position < bytes.count else { throw error("',' or '}'", found: "end of header") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                } else if bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return .object(members)
                } else {
                    throw error("',' or '}'", found: foundHere)
                }
            }
        }

        mutating func array(depth: Int) throws(FormatError) -> Value {
            position += 1
            var elements: [Value] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
                guard position < bytes.count else { throw error("',' or ']'", found: "end of header") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                } else if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(elements)
                } else {
                    throw error("',' or ']'", found: foundHere)
                }
            }
        }

        /// A string starting at the opening quote. The caller has validated the whole text as
        /// UTF-8, so raw bytes between escapes are copied through.
        mutating func string() throws(FormatError) -> String {
            let start = position
            position += 1
            var utf8: [UInt8] = []
            while true {
                guard position < bytes.count else {
                    throw error("a closing '\"'", found: "end of header", at: start)
                }
                let b = bytes[position]
                switch b {
                case UInt8(ascii: "\""):
                    position += 1
                    return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    position += 1
                    guard position < bytes.count else { throw error("an escape", found: "end of header") }
                    let e = bytes[position]
                    position += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code) {
                            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                                bytes[position + 1] == UInt8(ascii: "u")
                            else { throw error("a low surrogate after a high surrogate", found: foundHere, kind: .invalidUTF8) }
                            position += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else {
                                throw error("a low surrogate", found: "\\u\(String(low, radix: 16))", kind: .invalidUTF8)
                            }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else {
                            throw error("a Unicode scalar", found: "lone surrogate \\u\(String(code, radix: 16))", kind: .invalidUTF8)
                        }
                        utf8.append(contentsOf: Array(String(scalar).utf8))
                    default:
                        position -= 1
                        throw error("a valid escape", found: foundHere)
                    }
                case 0x00..<0x20:
                    throw error("no control characters in strings", found: foundHere)
                default:
                    utf8.append(b)
                    position += 1
                }
            }
        }

        mutating func hex4() throws(FormatError) -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard position < bytes.count, let d = hexDigit(bytes[position]) else {
                    throw error("four hex digits after \\u", found: foundHere)
                }
                v = v << 4 | d
                position += 1
            }
            return v
        }

        func hexDigit(_ b: UInt8) -> UInt32? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
            default: nil
            }
        }

        func isDigit(_ i: Int) -> Bool {
            i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")
        }

        mutating func number() throws(FormatError) -> Value {
            let start = position
            let negative = bytes[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            guard isDigit(position) else { throw error("a digit", found: foundHere) }
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
                if isDigit(position) { throw error("no leading zeros", found: foundHere) }
            } else {
                while isDigit(position) { position += 1 }
            }
            let integerEnd = position
            var isInteger = true
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                isInteger = false
                position += 1
                guard isDigit(position) else { throw error("a digit after '.'", found: foundHere) }
                while isDigit(position) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                isInteger = false
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                    position += 1
                }
                guard isDigit(position) else { throw error("a digit in the exponent", found: foundHere) }
                while isDigit(position) { position += 1 }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard isInteger else { return .number(text) }
            var v = 0
            for i in (negative ? start + 1 : start)..<integerEnd {
                let digit = Int(bytes[i] - UInt8(ascii: "0"))
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
                guard !o1, !o2 else {
                    throw error("an integer that fits in 64 bits", found: text, at: start)
                }
                v = s
            }
            return .integer(v)
        }
    }
}
