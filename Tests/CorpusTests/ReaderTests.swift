import XCTest
import Foundation
import Plumbing
@testable import Repro

/// The smoke fixture: 33 articles of original text in WikiExtractor's layout (AA/wiki_00, AA/wiki_01, AB/wiki_00).
let kowikiFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/data/pretraining/kowiki-sample").path

/// A fresh folder for hand-made bad input, removed after the test.
func scratchFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "corpus-tests-" + UUID().uuidString
    try FileIO.makeDirectories(path)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

final class ReaderTests: XCTestCase {
    func testReadsEveryArticleOfTheFixtureInPathOrder() throws {
        let files = try WikiExtractor.files(in: kowikiFixture)
        XCTAssertEqual(files, ["AA/wiki_00", "AA/wiki_01", "AB/wiki_00"].map { kowikiFixture + "/" + $0 },
                       "the README beside them is not a wiki_NN file")
        let articles = try WikiExtractor.read(directory: kowikiFixture)
        XCTAssertEqual(articles.count, 33)
        XCTAssertEqual(articles.map(\.id).prefix(3), ["101", "102", "103"])
        XCTAssertEqual(articles.map(\.id).suffix(2), ["211", "212"])
        XCTAssertEqual(Set(articles.map(\.id)).count, 33)

        let first = articles[0]
        XCTAssertEqual(first.title, "바람골")
        XCTAssertEqual(first.url, "https://ko.wikipedia.org/wiki?curid=101")
        XCTAssertEqual(first.file, kowikiFixture + "/AA/wiki_00")
        XCTAssertEqual(first.line, 1)
        XCTAssertTrue(first.text.hasPrefix("바람골\n\n바람골()은 높은 고개"))
        XCTAssertTrue(first.text.hasSuffix("큰 강으로 흘러간다.\n\n"), "each line with its newline, as in the file")
        // An empty article: the title line and two blank lines.
        XCTAssertEqual(articles[2].text, "새벽골\n\n\n")
        // The title attribute's entities are decoded; the text is left as the file has it.
        let album = try XCTUnwrap(articles.first { $0.id == "121" })
        XCTAssertEqual(album.title, "Rain & Wind")
        XCTAssertTrue(album.text.hasPrefix("Rain &amp; Wind\n"))
    }

    func testEachArticleNamesTheLineOfItsTag() throws {
        for article in try WikiExtractor.read(directory: kowikiFixture) {
            let lines = try String(contentsOfFile: article.file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertTrue(lines[article.line - 1].hasPrefix("<doc id=\"\(article.id)\" "), "\(article.file):\(article.line)")
            // The text is exactly the lines between the tag and </doc>.
            let count = article.text.filter { $0 == "\n" }.count
            XCTAssertEqual(lines[article.line + count], "</doc>")
            XCTAssertEqual(lines[article.line..<(article.line + count)].joined(separator: "\n") + "\n", article.text)
        }
    }

    func testAttributesInAnyOrderAndUnknownOnesAreRead() throws {
        let text = "<doc title=\"A &quot;B&quot;\" revid=\"9\" id=\"7\" url=\"u\">\nA \"B\"\n\n본문.\n\n</doc>\n"
        let articles = try WikiExtractor.parse(Array(text.utf8), file: "x/wiki_00")
        XCTAssertEqual(articles, [WikiArticle(id: "7", url: "u", title: "A \"B\"", text: "A \"B\"\n\n본문.\n\n", file: "x/wiki_00", line: 1)])
    }

    func testFilesAtAnyDepthSortedByPath() throws {
        let root = try scratchFolder(self)
        let doc = "<doc id=\"1\" url=\"u\" title=\"t\">\nt\n\n글.\n\n</doc>\n"
        for path in ["B/wiki_00", "A/wiki_10", "A/wiki_02", "A/deeper/wiki_00", "A/wiki_00.bz2", "A/.wiki_99", "notes.txt"] {
            try FileIO.makeDirectories(FileIO.dirname(of: root + "/" + path))
            try FileIO.writeAtomically(root + "/" + path, text: doc)
        }
        XCTAssertEqual(try WikiExtractor.files(in: root + "/"), ["A/deeper/wiki_00", "A/wiki_02", "A/wiki_10", "B/wiki_00"].map { root + "/" + $0 })
    }

    // MARK: - Bad input: every error names the file and, when a line is at fault, the line

    func parseError(_ text: String, file: String = "AA/wiki_07") -> CorpusError? {
        parseError(Array(text.utf8), file: file)
    }

    func parseError(_ bytes: [UInt8], file: String = "AA/wiki_07") -> CorpusError? {
        do {
            _ = try WikiExtractor.parse(bytes, file: file)
            return nil
        } catch let error as CorpusError {
            XCTAssertTrue(error.description.hasPrefix(file), error.description)
            return error
        } catch {
            XCTFail("not a CorpusError: \(error)")
            return nil
        }
    }

    let good = "<doc id=\"1\" url=\"u\" title=\"하나\">\n하나\n\n첫 글.\n\n</doc>\n"

    func testATruncatedDocNamesTheLineWhereItOpened() throws {
        let error = try XCTUnwrap(parseError(good + "<doc id=\"2\" url=\"u\" title=\"둘\">\n둘\n\n잘린 글"))
        XCTAssertEqual(error.line, 7)
        XCTAssertTrue(error.problem.contains("has no </doc>") && error.problem.contains("id 2"), error.problem)
        XCTAssertEqual(error.description, "AA/wiki_07:7: " + error.problem)
    }

    func testADocInsideADocIsAnError() throws {
        let error = try XCTUnwrap(parseError("<doc id=\"1\" url=\"u\" title=\"t\">\nt\n<doc id=\"2\" url=\"u\" title=\"s\">\n</doc>\n"))
        XCTAssertEqual(error.line, 3)
        XCTAssertTrue(error.problem.contains("inside the <doc> of line 1"), error.problem)
    }

    func testAStrayCloseTagIsAnError() throws {
        let error = try XCTUnwrap(parseError(good + "</doc>\n"))
        XCTAssertEqual(error.line, 7)
        XCTAssertTrue(error.problem.contains("no <doc> open"), error.problem)
    }

    func testTextOutsideADocIsAnErrorButBlankLinesAreNot() throws {
        XCTAssertEqual(try WikiExtractor.parse(Array(("\n" + good + "\n  \n" + good).utf8), file: "f").map(\.line), [2, 10])
        let error = try XCTUnwrap(parseError(good + "떠도는 글\n"))
        XCTAssertEqual(error.line, 7)
        XCTAssertTrue(error.problem.contains("outside any <doc>"), error.problem)
    }

    func testMalformedAttributesAreErrorsNamingTheLine() throws {
        let cases: [(String, String)] = [
            ("<doc id=\"1\" url=\"u\" title=\"t\"", "does not end with"),
            ("<doc id=\"1\" url=\"u\" title=\"t>", "no closing quote"),
            ("<doc id=1 url=\"u\" title=\"t\">", "is not name=\"value\""),
            ("<doc id=\"1\" id=\"2\" url=\"u\" title=\"t\">", "appears twice"),
            ("<doc id=\"1\" url=\"u\">", "no title"),
            ("<doc id=\"1\" url=\"u\" title=\"\">", "no title"),
            ("<doc url=\"u\" title=\"t\">", "no id"),
            ("<doc id=\"1\" title=\"t\">", "no url"),
            ("<doc  id=\"1\" url=\"u\" title=\"t\">", "attribute name"),
            ("<doc Id=\"1\" url=\"u\" title=\"t\">", "attribute name"),
            ("<doc>", "no id"),
        ]
        for (tag, problem) in cases {
            let error = try XCTUnwrap(parseError(good + tag + "\nt\n</doc>\n"), tag)
            XCTAssertEqual(error.line, 7, tag)
            XCTAssertTrue(error.problem.hasPrefix("malformed <doc> tag: ") && error.problem.contains(problem), "\(tag): \(error.problem)")
        }
    }

    func testInvalidUTF8NamesTheLineAndTheByte() throws {
        var bytes = Array((good + "<doc id=\"2\" url=\"u\" title=\"둘\">\n둘\n\n글").utf8)
        let offset = bytes.count                                  // line 10, after "글"
        bytes += [0xEA, 0x28] + Array(" 끝.\n</doc>\n".utf8)
        let error = try XCTUnwrap(parseError(bytes))
        XCTAssertEqual(error.line, 10)
        XCTAssertEqual(error.byte, offset)
        XCTAssertEqual(error.description, "AA/wiki_07:10 (byte \(offset)): not valid UTF-8 (byte 0xEA)")
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 either; a sequence cut by the end is not.
        for bad: [UInt8] in [[0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0xE4, 0xB8]] {
            XCTAssertEqual(WikiExtractor.firstInvalidUTF8(Array("ab".utf8) + bad), 2, "\(bad)")
        }
        XCTAssertNil(WikiExtractor.firstInvalidUTF8(Array("가é😀\u{10FFFF}".utf8)))
    }

    func testAnEmptyFileOrOneWithoutArticlesIsAnError() throws {
        XCTAssertTrue(try XCTUnwrap(parseError("")).problem.contains("empty"))
        XCTAssertTrue(try XCTUnwrap(parseError("\n\n")).problem.contains("no <doc>"))
    }

    func testFolderErrorsNameTheFolder() throws {
        let root = try scratchFolder(self)
        func folderError(_ path: String) -> String {
            do { _ = try WikiExtractor.read(directory: path); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(folderError(root + "/missing"), root + "/missing: no such folder")
        XCTAssertTrue(folderError(root).hasPrefix(root + ": no WikiExtractor files"), folderError(root))
        try FileIO.makeDirectories(root + "/AA")
        try FileIO.writeAtomically(root + "/AA/wiki_00.bz2", text: "BZh")
        XCTAssertTrue(folderError(root).contains("1 compressed wiki_NN.bz2 files: decompress them first"), folderError(root))
        try FileIO.writeAtomically(root + "/AA/wiki_00", text: good)
        XCTAssertTrue(folderError(root + "/AA/wiki_00").contains("not a folder"))
        try FileIO.writeAtomically(root + "/AA/wiki_01", text: "<doc id=\"1\" url=\"u\" title=\"t\">\n")
        XCTAssertTrue(folderError(root).hasPrefix(root + "/AA/wiki_01:1: the <doc> of line 1"), folderError(root))
    }
}
