import Foundation
import XCTest
@testable import Repro
import Tensor
import Plumbing
import Book

/// One rule for every text file the book reads (Plumbing's TextFile): a leading byte-order mark is skipped (and the
/// chapter's notebook says so), CRLF line ends are read as LF, trailing blank lines are ignored, and invalid UTF-8
/// is an error naming the file, the line and the byte. Each loader is given the same content in every variant and
/// must read the same thing; its messages show invisible characters escaped.
final class TextRuleTests: ScratchCase {
    /// The variants of a file of `lines`: as written, with a BOM, with CRLF, with trailing blank lines, all at once.
    static func variants(_ lines: [String]) -> [(name: String, bytes: [UInt8])] {
        let lf = Array((lines.joined(separator: "\n") + "\n").utf8)
        let crlf = Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        return [("lf", lf), ("bom", bom + lf), ("crlf", crlf), ("trailing blank lines", lf + Array("\n \n\t\n".utf8)),
                ("no final newline", Array(lines.joined(separator: "\n").utf8)),
                ("bom, crlf and blank lines", bom + crlf + Array("\r\n\r\n".utf8))]
    }

    /// Every variant of `lines` reads as the plain one does.
    func assertSameInEveryVariant<T: Equatable>(_ lines: [String], name: String, file: StaticString = #filePath, line: UInt = #line,
                                                _ read: (String) throws -> T) throws {
        // Each variant in a folder of its own, under the same name (an article's id is its file name).
        let reference = try read(write("reference/" + name, Array((lines.joined(separator: "\n") + "\n").utf8)))
        for variant in Self.variants(lines) {
            let path = write(variant.name.replacingOccurrences(of: " ", with: "-") + "/" + name, variant.bytes)
            XCTAssertNoThrow(try read(path), "\(name), \(variant.name)", file: file, line: line)
            if let value = try? read(path) { XCTAssertEqual(value, reference, "\(name), \(variant.name)", file: file, line: line) }
        }
    }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = scratch + "/" + name
        try! FileIO.writeAtomically(path, bytes: bytes)
        return path
    }

    /// The bytes of `lines`, where "<FF>" becomes a lone 0xFF byte: the error must name the file, the line of the
    /// byte and its offset in the file.
    func assertInvalidUTF8Named(_ lines: [String], name: String, file: StaticString = #filePath, line: UInt = #line,
                                _ read: (String) throws -> Void) {
        var bytes: [UInt8] = [], offset = -1, badLine = 0
        for (i, text) in lines.enumerated() {
            let parts = text.components(separatedBy: "<FF>")
            if parts.count > 1 { offset = bytes.count + parts[0].utf8.count; badLine = i + 1 }
            bytes += parts.map { Array($0.utf8) }.joined(separator: [0xFF]) + [0x0A]
        }
        precondition(offset >= 0, "no <FF> marker")
        let path = write(name, bytes)
        XCTAssertThrowsError(try read(path), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(path), message, file: file, line: line)
            XCTAssertTrue(message.contains("\(path):\(badLine):") || message.contains("line \(badLine)"), "line \(badLine): \(message)", file: file, line: line)
            XCTAssertTrue(message.contains("byte \(offset)"), "byte \(offset): \(message)", file: file, line: line)
        }
    }

    /// `lines` with "<FF>" put into line `number` after its first `after` characters.
    static func marked(_ lines: [String], line number: Int, after: Int) -> [String] {
        var lines = lines
        let text = Array(lines[number - 1])
        lines[number - 1] = String(text[..<after]) + "<FF>" + String(text[after...])
        return lines
    }

    static let nsmc = ["id\tdocument\tlabel", "1\t재미있다\t1", "2\t\t0", "3\t지루하다 정말\t0"]

    /// NSMC rejected a BOM (the message showed the header with the BOM invisible) and one trailing empty line.
    func testNSMCFollowsTheRule() throws {
        try assertSameInEveryVariant(Self.nsmc, name: "ratings.txt") { try NSMC.load($0).map { [$0.id, $0.document, "\($0.label)", "\($0.line)"] } }
        assertInvalidUTF8Named(Self.marked(Self.nsmc, line: 3, after: 2), name: "bad-ratings.txt") { _ = try NSMC.load($0) }
    }

    func testCSVFollowsTheRule() throws {
        let lines = [StepRecord.columns.joined(separator: ","), "1,1,0.0,5.9593782,1.5018486022544204,738", "2,1,0.0015,5.958903,1.3180601077025729,758"]
        try assertSameInEveryVariant(lines, name: "metrics.csv") { try CSV.read(StepRecord.self, from: $0) }
        assertInvalidUTF8Named(Self.marked(lines, line: 2, after: 4), name: "bad-metrics.csv") { _ = try CSV.read(StepRecord.self, from: $0) }
    }

    func testJSONLinesFollowTheRule() throws {
        let lines = [#"{"record": 0, "input_ids": [5, 6], "labels": [-100, 6], "prompt_tokens": 1}"#,
                     #"{"record": 1, "input_ids": [7, 8], "labels": [7, 8], "prompt_tokens": 0}"#]
        try assertSameInEveryVariant(lines, name: "train.jsonl") { try Records.readJSONLines($0) }
        try assertSameInEveryVariant(lines, name: "typed.jsonl") { try Records.read(TrainingExample.self, jsonLines: $0).map(\.inputIDs) }
        let pairs = [#"{"document": "기사 본문", "summary": "요약"}"#, #"{"document": "둘째 기사", "summary": "둘째 요약"}"#]
        try assertSameInEveryVariant(pairs, name: "articles.jsonl") { try Summarization.loadJSONLines($0) }
        assertInvalidUTF8Named(Self.marked(pairs, line: 2, after: 16), name: "bad-articles.jsonl") { _ = try Summarization.loadJSONLines($0) }
    }

    func testJSONDocumentsFollowTheRule() throws {
        let koalpaca = ["[", #"  {"instruction": "질문", "input": "", "output": "답"},"#, #"  {"instruction": "둘", "input": "x", "output": "y"}"#, "]"]
        try assertSameInEveryVariant(koalpaca, name: "ko_alpaca_data.json") { try Records.readJSONArray($0) }
        assertInvalidUTF8Named(Self.marked(koalpaca, line: 3, after: 34), name: "bad-ko_alpaca_data.json") { _ = try Records.readJSONArray($0) }
        let article = ["{", #"  "sentences": ["첫 문장.", "둘째 문장."],"#, #"  "summaries": [1]"#, "}"]
        try assertSameInEveryVariant(article, name: "01.json") { try Summarization.loadArticle($0) }
        assertInvalidUTF8Named(Self.marked(article, line: 2, after: 17), name: "bad-01.json") { _ = try Summarization.loadArticle($0) }
    }

    /// A header that differs only by invisible characters is shown with them escaped, so expected and found differ
    /// on the screen too.
    func testMessagesShowInvisibleCharactersEscaped() {
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try NSMC.parse(bytes, file: "ratings.txt"); return "no error" } catch { return "\(error)" }
        }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        // A second BOM (a file concatenated with another) is not the leading one: it stays, and shows.
        XCTAssertEqual(message(bom + bom + Array("id\tdocument\tlabel\n1\t좋다\t1\n".utf8)),
                       #"ratings.txt:1: expected the header "id\tdocument\tlabel", found "\u{FEFF}id\tdocument\tlabel""#)
        XCTAssertEqual(message(Array("\u{200B}id\tdocument\tlabel\n1\t좋다\t1\n".utf8)),
                       #"ratings.txt:1: expected the header "id\tdocument\tlabel", found "\u{200B}id\tdocument\tlabel""#)
        XCTAssertEqual(message(Array("id\tdocument\tlabel\n1\t좋다\t1\r\r\n".utf8)),
                       #"ratings.txt:2: label must be 0 or 1, found "1\r""#)
        let csv = write("tabbed.csv", Array("step\tepoch,learning_rate,loss,grad_norm,tokens\n".utf8))
        XCTAssertThrowsError(try CSV.read(StepRecord.self, from: csv)) {
            XCTAssertTrue("\($0)".contains(#"header is "step\tepoch,learning_rate"#), "\($0)")
        }
    }

    /// A BOM is skipped and counted: chapter 01 on a KoAlpaca file that starts with one writes the same records and
    /// says so in its notebook.
    func testChapter01SkipsAndReportsALeadingByteOrderMark() throws {
        let chapters = try Chapters.locate()
        let data = scratch + "/data"
        try FileManager.default.copyItem(atPath: Chapters.dataDirectory, toPath: data)
        let file = data + "/koalpaca/smoke/ko_alpaca_data.json"
        try chapters.runOrFail(.dataRepair, ["--scale", "smoke", "--data-dir", data, "--out", scratch + "/plain"], log: scratch + "/plain.log")
        try FileIO.writeAtomically(file, bytes: [0xEF, 0xBB, 0xBF] + FileIO.read(file))
        try chapters.runOrFail(.dataRepair, ["--scale", "smoke", "--data-dir", data, "--out", scratch + "/bom"], log: scratch + "/bom.log")
        let folder = Chapter.dataRepair.folder
        XCTAssertEqual(try FileIO.read(scratch + "/bom/\(folder)/repaired.jsonl"), try FileIO.read(scratch + "/plain/\(folder)/repaired.jsonl"))
        let notebook = try Tree.text(scratch + "/bom/\(folder)/notebook.md")
        XCTAssertTrue(notebook.contains("byte-order mark") && notebook.contains(file), notebook)
        XCTAssertFalse(try Tree.text(scratch + "/plain/\(folder)/notebook.md").contains("byte-order mark"))
    }
}
