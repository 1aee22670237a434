// Reading WikiExtractor's output: the pretraining text of the course's base models.
//
// WikiExtractor (github.com/attardi/wikiextractor) turns a Wikipedia dump into folders AA, AB, … of files wiki_00 …
// wiki_99, each a run of articles:
//
//   <doc id="5" url="https://ko.wikipedia.org/wiki?curid=5" title="지미 카터">
//   지미 카터                                   ← the title again
//                                               ← a blank line
//   제임스 얼 카터 주니어(, 1924년 10월 1일 ~ )는 …  ← the plain text, one paragraph (or heading) per line
//   생애.
//   …
//   </doc>
//
// The text is HTML-escaped (`<` is written `&lt;`), so a line inside an article can never be a `<doc>` or `</doc>`
// tag; a tag line out of place therefore means a broken file, and is an error naming the file and the line. So is
// invalid UTF-8 (with the byte), an attribute we cannot read, and a folder with no `wiki_NN` file. Nothing is
// skipped silently: a user who points this at a full kowiki extraction either gets every article or an error.
//
// API
//   WikiExtractor.read(directory:) -> [WikiArticle]        every article under a folder, files in path order
//   WikiExtractor.parse(_:file:) -> [WikiArticle]           the articles of one file's bytes
//   WikiExtractor.files(in:) -> [String]                     the wiki_NN files under a folder, sorted
//   CorpusError                                              file, line, byte (for UTF-8), problem
import Foundation
import Plumbing

/// One `<doc>` of a WikiExtractor file, as the file has it.
public struct WikiArticle: Equatable, Sendable {
    /// The page id (`curid`), as written.
    public var id: String
    public var url: String
    /// The `title` attribute with its HTML entities decoded (`&amp;` → `&`).
    public var title: String
    /// The lines between the `<doc>` line and the `</doc>` line, each with its newline, exactly as in the file (still
    /// HTML-escaped, title line included). Cleaning (WikiCleaner) starts from here.
    public var text: String
    /// The file and the 1-based line of the `<doc>` tag.
    public var file: String
    public var line: Int

    public init(id: String, url: String, title: String, text: String, file: String, line: Int) {
        self.id = id; self.url = url; self.title = title; self.text = text; self.file = file; self.line = line
    }
}

/// A corpus file or folder that cannot be read: the file, the 1-based line and the 0-based byte offset in the file
/// when they are known, and what is wrong.
public struct CorpusError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var byte: Int?
    public var problem: String

    public init(file: String, line: Int? = nil, byte: Int? = nil, problem: String) {
        self.file = file; self.line = line; self.byte = byte; self.problem = problem
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let byte { s += " (byte \(byte))" }
        return s + ": " + problem
    }
}

public enum WikiExtractor {
    /// Every article of every `wiki_NN` file under `directory` (any depth), files in sorted path order and articles
    /// in file order.
    public static func read(directory: String) throws -> [WikiArticle] {
        var articles: [WikiArticle] = []
        for file in try files(in: directory) {
            let bytes: [UInt8]
            do { bytes = try FileIO.read(file) } catch { throw CorpusError(file: file, problem: "\(error)") }
            articles += try parse(bytes, file: file)
        }
        return articles
    }

    /// The WikiExtractor output files under `directory`: names `wiki_` and digits, at any depth, sorted by path
    /// (byte order, so AA/wiki_00 < AA/wiki_01 < AB/wiki_00). Hidden entries are skipped. An error when the folder
    /// is missing or holds no such file (naming the compressed `wiki_NN.bz2` files if that is what it holds).
    public static func files(in directory: String) throws -> [String] {
        guard FileIO.exists(directory) else { throw CorpusError(file: directory, problem: "no such folder") }
        guard FileIO.isDirectory(directory) else {
            throw CorpusError(file: directory, problem: "not a folder (expected WikiExtractor's output folder, holding AA/wiki_00 …)")
        }
        var found: [String] = [], compressed = 0
        func walk(_ folder: String) throws {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
                throw CorpusError(file: folder, problem: "cannot list the folder: \(error.localizedDescription)")
            }
            for name in names where !name.hasPrefix(".") {
                let path = folder + "/" + name
                if FileIO.isDirectory(path) {
                    try walk(path)
                } else if isOutputName(name) {
                    found.append(path)
                } else if name.hasPrefix("wiki_") && name.hasSuffix(".bz2") {
                    compressed += 1
                }
            }
        }
        try walk(directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory)
        guard !found.isEmpty else {
            let hint = compressed > 0 ? " (it holds \(compressed) compressed wiki_NN.bz2 files: decompress them first, e.g. bunzip2)" : ""
            throw CorpusError(file: directory, problem: "no WikiExtractor files (wiki_00, wiki_01, …) in this folder or below" + hint)
        }
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// `wiki_` followed by one or more ASCII digits, as WikiExtractor names its files.
    static func isOutputName(_ name: String) -> Bool {
        let digits = name.utf8.dropFirst(5)
        return name.hasPrefix("wiki_") && !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    // MARK: - One file

    /// The articles of one file's bytes; `file` names the file in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws -> [WikiArticle] {
        if let bad = firstInvalidUTF8(bytes) {
            let line = 1 + bytes[..<bad].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw CorpusError(file: file, line: line, byte: bad, problem: "not valid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))")
        }
        guard !bytes.isEmpty else { throw CorpusError(file: file, problem: "the file is empty (WikiExtractor never writes an empty file: truncated copy?)") }

        var articles: [WikiArticle] = []
        // The <doc> being read: its attributes, its line, and where its text starts.
        var open: (id: String, url: String, title: String, line: Int, textStart: Int)? = nil
        var start = 0, number = 0
        while start < bytes.count {
            number += 1
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let line = bytes[start..<end]
            let next = min(end + 1, bytes.count)
            defer { start = next }
            if startsWith(line, "<doc") && (line.count == 4 || line[line.startIndex + 4] == 0x20 || line[line.startIndex + 4] == 0x3E) {
                if let open {
                    throw CorpusError(file: file, line: number, problem: "a <doc> begins inside the <doc> of line \(open.line), which has no </doc>")
                }
                let (id, url, title) = try attributes(line, file: file, line: number)
                open = (id, url, title, number, next)
            } else if isCloseTag(line) {
                guard let doc = open else {
                    throw CorpusError(file: file, line: number, problem: "</doc> with no <doc> open")
                }
                let text = String(decoding: bytes[doc.textStart..<start], as: UTF8.self)
                articles.append(WikiArticle(id: doc.id, url: doc.url, title: doc.title, text: text, file: file, line: doc.line))
                open = nil
            } else if open == nil && !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
                throw CorpusError(file: file, line: number, problem: "text outside any <doc> … </doc>: \(preview(line))")
            }
        }
        if let open {
            throw CorpusError(file: file, line: open.line, problem: "the <doc> of line \(open.line) (id \(open.id)) has no </doc>: the file ends at line \(number) (truncated?)")
        }
        guard !articles.isEmpty else { throw CorpusError(file: file, problem: "no <doc> in the file") }
        return articles
    }

    static func startsWith(_ line: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        return line.count >= p.count && zip(line, p).allSatisfy { $0 == $1 }
    }

    /// `</doc>`, allowing a carriage return (a file that went through a Windows editor).
    static func isCloseTag(_ line: ArraySlice<UInt8>) -> Bool {
        let body = line.last == 0x0D ? line.dropLast() : line
        return body.elementsEqual("</doc>".utf8)
    }

    static func preview(_ line: ArraySlice<UInt8>) -> String {
        String(decoding: line, as: UTF8.self).prefix(60).debugDescription
    }

    /// The id, url and title of a `<doc name="value" …>` line. Every attribute is `name="value"` (values hold no
    /// `"`: WikiExtractor escapes it as `&quot;`), separated by single spaces, and the line ends with `>`. Other
    /// attributes (some WikiExtractor versions add `revid`) are read and ignored; id, url and title are required,
    /// once each, and id and title must not be empty.
    static func attributes(_ line: ArraySlice<UInt8>, file: String, line number: Int) throws -> (String, String, String) {
        func fail(_ problem: String) -> CorpusError {
            CorpusError(file: file, line: number, problem: "malformed <doc> tag: \(problem): \(preview(line))")
        }
        var body = line.dropFirst(4)
        if body.last == 0x0D { body = body.dropLast() }
        guard body.last == 0x3E else { throw fail("the line does not end with \">\"") }
        body = body.dropLast()
        var values: [String: String] = [:]
        var i = body.startIndex
        while i < body.endIndex {
            guard body[i] == 0x20 else { throw fail("expected a space before an attribute") }
            i += 1
            let nameStart = i
            while i < body.endIndex, body[i] != 0x3D, body[i] != 0x20, body[i] != 0x22 { i += 1 }
            let name = String(decoding: body[nameStart..<i], as: UTF8.self)
            guard !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) }) else {
                throw fail("an attribute name must be lower-case letters, digits or \"_\"")
            }
            guard i + 1 < body.endIndex, body[i] == 0x3D, body[i + 1] == 0x22 else { throw fail("attribute \(name) is not name=\"value\"") }
            i += 2
            let valueStart = i
            while i < body.endIndex, body[i] != 0x22 { i += 1 }
            guard i < body.endIndex else { throw fail("the value of \(name) has no closing quote") }
            guard values[name] == nil else { throw fail("attribute \(name) appears twice") }
            values[name] = HTMLEntities.decode(String(decoding: body[valueStart..<i], as: UTF8.self))
            i += 1
        }
        guard let id = values["id"], !id.isEmpty else { throw fail("no id") }
        guard let url = values["url"] else { throw fail("no url") }
        guard let title = values["title"], !title.isEmpty else { throw fail("no title") }
        return (id, url, title)
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence (overlong forms, surrogates
    /// and values above U+10FFFF included), or nil when all of it is valid.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int, low: UInt8, high: UInt8     // the allowed range of the second byte
            switch b {
            case 0xC2...0xDF: length = 2; low = 0x80; high = 0xBF
            case 0xE0: length = 3; low = 0xA0; high = 0xBF
            case 0xED: length = 3; low = 0x80; high = 0x9F
            case 0xE1...0xEC, 0xEE...0xEF: length = 3; low = 0x80; high = 0xBF
            case 0xF0: length = 4; low = 0x90; high = 0xBF
            case 0xF1...0xF3: length = 4; low = 0x80; high = 0xBF
            case 0xF4: length = 4; low = 0x80; high = 0x8F
            default: return i
            }
            guard i + 1 < bytes.count, bytes[i + 1] >= low, bytes[i + 1] <= high else { return i }
            for k in 2..<length where i + k >= bytes.count || bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}

/// The HTML entities WikiExtractor writes (it escapes `&`, `<`, `>` and sometimes `"`), and numeric references.
/// Decoded once, left to right: `&amp;lt;` becomes `&lt;`, as an HTML parser reads it.
enum HTMLEntities {
    static let named: [Substring: Unicode.Scalar] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}"]

    static func decode(_ text: String) -> String {
        guard text.utf8.contains(0x26) else { return text }
        var scalars = Array(text.unicodeScalars)
        _ = decode(&scalars)
        return String(String.UnicodeScalarView(scalars))
    }

    /// Decodes in place; returns the number of entities decoded.
    static func decode(_ scalars: inout [Unicode.Scalar]) -> Int {
        guard let firstAmpersand = scalars.firstIndex(of: "&") else { return 0 }
        var out = Array(scalars[..<firstAmpersand])
        var i = firstAmpersand, count = 0
        while i < scalars.count {
            if scalars[i] == "&", let (scalar, length) = entity(scalars, at: i) {
                out.append(scalar)
                count += 1
                i += length
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        scalars = out
        return count
    }

    /// The entity starting at `i` (`&name;`, `&#123;`, `&#x1F;`) and its length, if it is one we know.
    static func entity(_ s: [Unicode.Scalar], at i: Int) -> (Unicode.Scalar, Int)? {
        var j = i + 1
        while j < s.count, j - i <= 10, s[j] != ";" { j += 1 }
        guard j < s.count, s[j] == ";", j > i + 1 else { return nil }
        let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
        if let scalar = named[Substring(name)] { return (scalar, j - i + 1) }
        guard name.hasPrefix("#") else { return nil }
        let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
        let digits = name.dropFirst(hex ? 2 : 1)
        guard !digits.isEmpty, digits.allSatisfy({ hex ? $0.isHexDigit : $0.isASCII && $0.isNumber }),
              let value = UInt32(digits, radix: hex ? 16 : 10), value != 0,
              let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, j - i + 1)
    }
}
