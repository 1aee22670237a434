// A small, strict JSON (RFC 8259) reader and writer.
//
// Why not Foundation's JSONSerialization: we need errors that name the file, the byte, the line and — for a data set
// that is one big array — the record; we need invalid UTF-8 reported, not silently replaced; objects must keep their
// key order so that files we write are byte-identical run after run; and a hostile file must not exhaust the stack.
// safetensors headers, tokenizer.json, config.json, manifests and the data sets all go through this one parser.

public struct JSONObject: Equatable, Sendable {
    public private(set) var keys: [String] = []
    public private(set) var storage: [String: JSON] = [:]

    public init() {}
    public init(_ pairs: [(String, JSON)]) { for (k, v) in pairs { self[k] = v } }

    public subscript(key: String) -> JSON? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var pairs: [(key: String, value: JSON)] { keys.map { ($0, storage[$0]!) } }
}

public indirect enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var double: Double? { if case .number(let d) = self { return d }; return nil }
    public var array: [JSON]? { if case .array(let a) = self { return a }; return nil }
    public var object: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { self == .null }

    /// The number as an exact integer, or nil when it is not a number, has a fraction, or lies beyond ±2⁵³.
    public var int: Int? {
        guard case .number(let d) = self, d.rounded() == d, abs(d) <= 9_007_199_254_740_992 else { return nil }
        return Int(d)
    }

    public init(_ pairs: KeyValuePairs<String, JSON>) { self = .object(JSONObject(pairs.map { ($0.key, $0.value) })) }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
                ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Errors

public struct JSONError: Error, CustomStringConvertible, Equatable {
    public var file: String?
    public var message: String
    public var byteOffset: Int
    public var line: Int
    public var column: Int
    /// For a file whose top level is an array of records: the 0-based index of the record being read.
    public var record: Int?

    public var description: String {
        var where_ = file.map { "\($0): " } ?? ""
        if let record { where_ += "record \(record): " }
        return "\(where_)\(message) (line \(line), column \(column), byte \(byteOffset))"
    }
}

// MARK: - Reading

extension JSON {
    /// Parse a whole document. `file` only labels errors.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws(JSONError) -> JSON {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONError) -> JSON in
            var parser = JSONParser(buffer, file: file)
            return try parser.parseDocument()
        }
    }

    public static func parse(_ text: String, file: String? = nil) throws(JSONError) -> JSON {
        try parse(Array(text.utf8), file: file)
    }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String?
    var position = 0
    var depth = 0
    var record: Int? = nil
    static let maxDepth = 256

    init(_ bytes: UnsafeBufferPointer<UInt8>, file: String?) { self.bytes = bytes; self.file = file }

    func fail(_ message: String, at offset: Int? = nil) -> JSONError {
        let at = min(offset ?? position, bytes.count)
        var line = 1, column = 1
        for i in 0..<at {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
        }
        return JSONError(file: file, message: message, byteOffset: at, line: line, column: column, record: record)
    }

    mutating func parseDocument() throws(JSONError) -> JSON {
        // A UTF-8 byte-order mark is tolerated at the very start, as many editors write one.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        if position >= bytes.count { throw fail("empty file: no JSON value") }
        let value = try parseValue(topLevel: true)
        skipWhitespace()
        if position < bytes.count { throw fail("unexpected data after the JSON value") }
        return value
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    mutating func parseValue(topLevel: Bool = false) throws(JSONError) -> JSON {
        guard position < bytes.count else { throw fail("unexpected end of file (truncated?)") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray(topLevel: topLevel)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected \(describe(bytes[position])) where a value should start")
        }
    }

    mutating func expectLiteral(_ word: String) throws(JSONError) {
        let w = Array(word.utf8), n = w.count
        guard position + n <= bytes.count else { throw fail("unexpected end of file (truncated?)") }
        for i in 0..<n where bytes[position + i] != w[i] { throw fail("invalid literal") }
        position += n
    }

    mutating func enter() throws(JSONError) {
        depth += 1
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels") }
    }

    mutating func parseArray(topLevel: Bool) throws(JSONError) -> JSON {
        try enter()
        position += 1
        var items: [JSON] = []
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") { position += 1; depth -= 1; return .array(items) }
        while true {
            skipWhitespace()
            if topLevel { record = items.count }
            items.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of file inside an array (truncated?)") }
            let c = bytes[position]
            position += 1
            if c == UInt8(ascii: "]") { break }
            if c != UInt8(ascii: ",") { throw fail("expected ',' or ']' in an array, found \(describe(c))", at: position - 1) }
        }
        if topLevel { record = nil }
        depth -= 1
        return .array(items)
    }

    mutating func parseObject() throws(JSONError) -> JSON {
        try enter()
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") { position += 1; depth -= 1; return .object(object) }
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of file inside an object (truncated?)") }
            guard bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a string key, found \(describe(bytes[position]))") }
            let keyStart = position
            let key = try parseString()
            if object[key] != nil { throw fail("duplicate key \"\(key)\"", at: keyStart) }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':' after key \"\(key)\"") }
            position += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of file inside an object (truncated?)") }
            let c = bytes[position]
            position += 1
            if c == UInt8(ascii: "}") { break }
            if c != UInt8(ascii: ",") { throw fail("expected ',' or '}' in an object, found \(describe(c))", at: position - 1) }
        }
        depth -= 1
        return .object(object)
    }

    mutating func parseNumber() throws(JSONError) -> Double {
        let start = position
        func digits() -> Int {
            let s = position
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
            return position - s
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw fail("unexpected end of file in a number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw fail("invalid number")
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            if digits() == 0 { throw fail("invalid number: no digits after '.'") }
        }
        if position < bytes.count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) { position += 1 }
            if digits() == 0 { throw fail("invalid number: no digits in the exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw fail("number out of range", at: start) }
        return value
    }

    mutating func parseString() throws(JSONError) -> String {
        let open = position
        position += 1
        // Fast path: no escapes — validate the UTF-8 of the whole run at once.
        var scan = position
        while scan < bytes.count {
            let c = bytes[scan]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
            scan += 1
        }
        guard scan < bytes.count else { throw fail("unterminated string (truncated?)", at: open) }
        if bytes[scan] == UInt8(ascii: "\"") {
            let run = UnsafeBufferPointer(rebasing: bytes[position..<scan])
            guard let s = String(validating: run, as: UTF8.self) else { throw fail("invalid UTF-8 in a string", at: firstInvalidUTF8(from: position, to: scan)) }
            position = scan + 1
            return s
        }
        // Slow path: escapes or an error.
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[position..<scan]))
        position = scan
        while true {
            guard position < bytes.count else { throw fail("unterminated string (truncated?)", at: open) }
            let c = bytes[position]
            if c == UInt8(ascii: "\"") { position += 1; break }
            if c < 0x20 { throw fail("control character 0x\(String(c, radix: 16)) inside a string must be escaped") }
            if c != UInt8(ascii: "\\") { out.append(c); position += 1; continue }
            position += 1
            guard position < bytes.count else { throw fail("unterminated escape (truncated?)") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                    else { throw fail("lone high surrogate \\u\(String(scalar, radix: 16))") }
                    position += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("lone low surrogate \\u\(String(scalar, radix: 16))")
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default: throw fail("invalid escape \\\(describe(e))", at: position - 2)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string", at: firstInvalidUTF8(from: open + 1, to: position)) }
        return s
    }

    mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("unexpected end of file in a \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid hex digit in a \\u escape")
            }
            v = v << 4 | d
            position += 1
        }
        return v
    }

    /// The offset of the first byte that breaks UTF-8 in [from, to), for a precise error.
    func firstInvalidUTF8(from: Int, to: Int) -> Int {
        var i = from
        while i < to {
            let b = bytes[i]
            let n: Int
            if b < 0x80 { n = 1 } else if b & 0xE0 == 0xC0 { n = 2 } else if b & 0xF0 == 0xE0 { n = 3 } else if b & 0xF8 == 0xF0 { n = 4 } else { return i }
            if i + n > to { return i }
            if n > 1, String(validating: UnsafeBufferPointer(rebasing: bytes[i..<(i + n)]), as: UTF8.self) == nil { return i }
            i += n
        }
        return from
    }
}

// MARK: - Writing

extension JSON {
    /// Compact JSON with keys in insertion order; non-ASCII text written as UTF-8, not escaped.
    public func serialized(pretty: Bool = false) -> String {
        var out = ""
        write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, indent: Int) {
        let newline = pretty ? "\n" + String(repeating: "  ", count: indent + 1) : ""
        let close = pretty ? "\n" + String(repeating: "  ", count: indent) : ""
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += JSON.format(d)
        case .string(let s): JSON.writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                out += newline
                item.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            out += close + "]"
        case .object(let o):
            if o.count == 0 { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in o.pairs.enumerated() {
                if i > 0 { out += "," }
                out += newline
                JSON.writeString(k, into: &out)
                out += pretty ? ": " : ":"
                v.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            out += close + "}"
        }
    }

    static func format(_ d: Double) -> String {
        if d.rounded() == d && abs(d) < 1e15 { return String(Int64(d)) }
        return d.isFinite ? "\(d)" : "null"
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
