// The one rule for reading a text file, whatever its format (TSV, CSV, JSON Lines, a corpus), so that every loader
// accepts and refuses the same things:
//   - a UTF-8 byte-order mark at the very start is skipped, and said (`hadByteOrderMark`, for the notebook);
//   - a line ends at LF; a CR before it (CRLF, as Windows editors write) is not part of the line;
//   - blank lines at the end (empty, or spaces and tabs) are ignored: an editor's extra newline loses nothing;
//   - bytes that are not UTF-8 are an error naming the file, the line and the byte's offset in the file.
// JSON documents (a KoAlpaca array, an article, a config) go through JSON.parse, which applies the same rule: it
// skips a leading BOM, counts CR and LF as whitespace, and names the line and byte of invalid UTF-8.
//
// Messages about what a file holds show it through `escaped`, so a BOM, a tab or a CR is visible on the screen.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A text file read by the rule above: its lines, numbered from 1 as an editor numbers them.
public struct TextFile: Sendable {
    public struct Line: Equatable, Sendable {
        /// 1-based, counting every line of the file (blank ones and the first, after a BOM, included).
        public var number: Int
        /// The line without its end (LF or CRLF).
        public var text: String
        /// The byte offset of the line's start in the file.
        public var offset: Int

        public init(number: Int, text: String, offset: Int) { self.number = number; self.text = text; self.offset = offset }

        /// Empty, or nothing but spaces and tabs.
        public var isBlank: Bool { text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
    }

    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    public let path: String
    /// Every line but the trailing blank ones.
    public let lines: [Line]
    /// The file began with a UTF-8 byte-order mark (U+FEFF), which was skipped.
    public let hadByteOrderMark: Bool
    /// How many lines ended in CRLF.
    public let crlfLines: Int

    /// Read `path` by the rule; a missing file or invalid UTF-8 is a `RecordError` naming the file (and the line).
    public static func read(_ path: String) throws -> TextFile {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw RecordError(file: path, problem: "\(error)") }
        return try TextFile(bytes: bytes, path: path)
    }

    /// `bytes` as the file at `path` (which only labels errors).
    public init(bytes: [UInt8], path: String) throws {
        self.path = path
        hadByteOrderMark = TextFile.startsWithByteOrderMark(bytes)
        var lines: [Line] = [], crlf = 0
        var start = hadByteOrderMark ? 3 : 0
        while start < bytes.count {
            let newline = bytes[start...].firstIndex(of: 0x0A)
            var end = newline ?? bytes.count
            if end > start && bytes[end - 1] == 0x0D {
                end -= 1
                if newline != nil { crlf += 1 }
            }
            guard let text = String(validating: bytes[start..<end], as: UTF8.self) else {
                let bad = TextFile.firstInvalidByte(bytes, from: start, to: end)
                let hex = String(bytes[bad], radix: 16, uppercase: true)
                throw RecordError(file: path, line: lines.count + 1,
                                  problem: "not valid UTF-8 at byte \(bad) of the file (0x\(hex), byte \(bad - start + 1) of the line)")
            }
            lines.append(Line(number: lines.count + 1, text: text, offset: start))
            start = (newline ?? bytes.count) + 1
        }
        while lines.last?.isBlank == true { lines.removeLast() }
        self.lines = lines
        crlfLines = crlf
    }

    public static func startsWithByteOrderMark(_ bytes: [UInt8]) -> Bool { bytes.starts(with: byteOrderMark) }

    /// Whether the file at `path` starts with a byte-order mark (reads its first three bytes only; false when it
    /// cannot be read).
    public static func startsWithByteOrderMark(path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 3)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, 3, 0) }
        return n == 3 && head == byteOrderMark
    }

    /// The offset of the first byte in [from, to) where UTF-8 breaks.
    static func firstInvalidByte(_ bytes: [UInt8], from: Int, to: Int) -> Int {
        var i = from
        while i < to {
            let b = bytes[i]
            let n = b < 0x80 ? 1 : b & 0xE0 == 0xC0 ? 2 : b & 0xF0 == 0xE0 ? 3 : b & 0xF8 == 0xF0 ? 4 : 0
            if n == 0 || i + n > to || String(validating: bytes[i..<(i + n)], as: UTF8.self) == nil { return i }
            i += n
        }
        return from
    }
}

/// `text` with what the eye cannot see written out: `\t`, `\r`, `\n`, `\\`, and `\u{XXXX}` for other controls,
/// format characters (a BOM U+FEFF, a zero-width space U+200B), spaces other than U+0020, default-ignorable and
/// unassigned code points. For messages that show what a file holds.
public func escaped<S: StringProtocol>(_ text: S) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "\n": out += "\\n"
        case "\\": out += "\\\\"
        default:
            if isInvisible(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.value >= 0x21 && scalar.value < 0x7F { return false }
    if scalar == " " { return false }
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .privateUse, .surrogate, .unassigned:
        return true
    default:
        return scalar.properties.isDefaultIgnorableCodePoint
    }
}
