import Foundation
import XCTest
import Plumbing

/// The text rule itself (TextFile): what every loader of the book inherits.
final class TextFileTests: XCTestCase {
    func lines(_ bytes: [UInt8]) throws -> [String] { try TextFile(bytes: bytes, path: "t.txt").lines.map(\.text) }

    func testAByteOrderMarkIsSkippedAndSaid() throws {
        let file = try TextFile(bytes: [0xEF, 0xBB, 0xBF] + Array("a\nb\n".utf8), path: "t.txt")
        XCTAssertTrue(file.hadByteOrderMark)
        XCTAssertEqual(file.lines, [.init(number: 1, text: "a", offset: 3), .init(number: 2, text: "b", offset: 5)])
        XCTAssertFalse(try TextFile(bytes: Array("a\n".utf8), path: "t.txt").hadByteOrderMark)
        // Only the leading one: a BOM further on is text (and shows in messages).
        XCTAssertEqual(try lines(Array("a\n\u{FEFF}b".utf8)), ["a", "\u{FEFF}b"])
    }

    func testCRLFTrailingBlankLinesAndNoFinalNewline() throws {
        let file = try TextFile(bytes: Array("a\r\nb\r\n\r\n \t\n\n".utf8), path: "t.txt")
        XCTAssertEqual(file.lines.map(\.text), ["a", "b"])
        XCTAssertEqual(file.crlfLines, 3)
        XCTAssertEqual(try lines(Array("a\nb".utf8)), ["a", "b"])
        XCTAssertEqual(try lines(Array("a\r".utf8)), ["a"])                  // a CR at the very end, too
        XCTAssertEqual(try lines(Array("a\r\rb\n".utf8)), ["a\r\rb"])        // a CR inside a line is the line's
        // Blank lines inside the file are lines (a loader decides what they mean), numbered as an editor numbers them.
        XCTAssertEqual(try TextFile(bytes: Array("a\n\nb\n".utf8), path: "t.txt").lines.map(\.number), [1, 2, 3])
        XCTAssertEqual(try lines([]), [])
        XCTAssertEqual(try lines(Array("\n\n".utf8)), [])
    }

    func testInvalidUTF8NamesTheFileTheLineAndTheByte() {
        XCTAssertThrowsError(try TextFile(bytes: Array("ok\n가".utf8) + [0xFF] + Array("\n".utf8), path: "t.txt")) {
            XCTAssertEqual("\($0)", "t.txt:2: not valid UTF-8 at byte 6 of the file (0xFF, byte 4 of the line)")
        }
        // A character cut short is named at its first byte.
        XCTAssertThrowsError(try TextFile(bytes: [0x61, 0xEA, 0xB0, 0x0A], path: "t.txt")) {
            XCTAssertEqual("\($0)", "t.txt:1: not valid UTF-8 at byte 1 of the file (0xEA, byte 2 of the line)")
        }
        XCTAssertThrowsError(try TextFile.read("/nonexistent/t.txt")) { XCTAssertTrue("\($0)".hasPrefix("/nonexistent/t.txt: ")) }
    }

    func testEscapedShowsWhatTheEyeCannotSee() {
        XCTAssertEqual(escaped("\u{FEFF}id\tdoc\r\n"), #"\u{FEFF}id\tdoc\r\n"#)
        XCTAssertEqual(escaped("a\u{200B}b\u{00A0}c\u{3000}d\u{0}e\\"), #"a\u{200B}b\u{A0}c\u{3000}d\u{0}e\\"#)
        XCTAssertEqual(escaped("한국어 text, 1.5 — ok"), "한국어 text, 1.5 — ok")
    }

    func testReadUTF8SkipsAByteOrderMarkAndNamesBadBytes() throws {
        let directory = NSTemporaryDirectory() + "textfile-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileIO.writeAtomically(directory + "/a.txt", bytes: [0xEF, 0xBB, 0xBF] + Array("x\r\n".utf8))
        XCTAssertEqual(try FileIO.readUTF8(directory + "/a.txt"), "x\r\n")
        XCTAssertTrue(TextFile.startsWithByteOrderMark(path: directory + "/a.txt"))
        try FileIO.writeAtomically(directory + "/b.txt", bytes: Array("x\ny".utf8) + [0xC3])
        XCTAssertThrowsError(try FileIO.readUTF8(directory + "/b.txt")) {
            XCTAssertEqual("\($0)", "\(directory)/b.txt: not valid UTF-8 at byte 3 (line 2)")
        }
        XCTAssertFalse(TextFile.startsWithByteOrderMark(path: directory + "/b.txt"))
    }
}
