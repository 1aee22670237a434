import Repro
import XCTest
import Tensor
@testable import ch01_data_repair
import Plumbing

/// Reading and checking KoAlpaca files: small files written here, never the real data.
final class ValidationTests: ScratchTestCase {
    func load(_ text: String) throws -> ValidatedData {
        try FileIO.writeAtomically(scratch + "/test.json", text: text)
        return try Validation.load(path: scratch + "/test.json")
    }

    func testGoodRecordsKeepTheirFileIndex() throws {
        let data = try load("""
        [{"instruction": "인사하세요.", "input": "", "output": "안녕하세요."},
         {"instruction": "번역하세요.", "input": "cat", "output": "고양이"}]
        """)
        XCTAssertEqual(data.totalRecords, 2)
        XCTAssertEqual(data.rejects, [])
        XCTAssertEqual(data.records.map(\.index), [0, 1])
        XCTAssertEqual(data.records[1].record, InstructionRecord(instruction: "번역하세요.", input: "cat", output: "고양이"))
    }

    func testBadRecordsAreRejectedWithIndexAndReason() throws {
        let data = try load("""
        [{"instruction": "a", "input": "", "output": "b"},
         {"instruction": "a", "output": "b"},
         {"instruction": "a", "input": 3, "output": "b"},
         {"instruction": "  \\n", "input": "", "output": "b"},
         {"instruction": "a", "input": "", "output": ""},
         {"instruction": "a\\u0007", "input": "", "output": "b"},
         {"instruction": "a", "input": "", "output": "b", "id": 7},
         "just a string",
         {"instruction": "줄 끝\\r\\n", "input": "", "output": "b\\t"}]
        """)
        XCTAssertEqual(data.totalRecords, 9)
        XCTAssertEqual(data.records.map(\.index), [0, 8])
        XCTAssertEqual(data.rejects, [
            Reject(index: 1, reason: "missing field \"input\""),
            Reject(index: 2, reason: "field \"input\" is a number, expected a string"),
            Reject(index: 3, reason: "empty instruction"),
            Reject(index: 4, reason: "empty output"),
            Reject(index: 5, reason: "field \"instruction\" holds control character U+0007 at scalar 1"),
            Reject(index: 6, reason: "unexpected field \"id\""),
            Reject(index: 7, reason: "the record is a string, expected an object"),
        ])
        XCTAssertEqual(data.recordsWithCarriageReturn, 1)   // CR is allowed, and counted
    }

    func testC1ControlIsRejected() throws {
        let data = try load("[{\"instruction\": \"a\u{85}\", \"input\": \"\", \"output\": \"b\"}]")
        XCTAssertEqual(data.rejects.map(\.reason), ["field \"instruction\" holds control character U+0085 at scalar 1"])
    }

    func assertFileError(_ bytes: [UInt8], contains expected: [String], line: UInt = #line) {
        XCTAssertNoThrow(try FileIO.writeAtomically(scratch + "/bad.json", bytes: bytes), line: line)
        XCTAssertThrowsError(try Validation.load(path: scratch + "/bad.json"), line: line) { error in
            let text = String(describing: error)
            for part in expected { XCTAssertTrue(text.contains(part), "\(text) lacks \(part)", line: line) }
        }
    }

    func testWholeFileErrorsNameTheFileAndRecord() {
        assertFileError(Array("not json".utf8), contains: ["bad.json"])
        // Truncated in the middle of the third record.
        assertFileError(Array(#"[{"instruction":"a","input":"","output":"b"},{"instruction":"a","input":"","output":"b"},{"instr"#.utf8),
                        contains: ["bad.json", "record 2", "truncated"])
        assertFileError(Array(#"{"instruction":"a","input":"","output":"b"}"#.utf8), contains: ["bad.json", "not a JSON array"])
        assertFileError(Array("[]".utf8), contains: ["bad.json", "no records"])
        assertFileError([], contains: ["bad.json", "empty"])
    }

    func testInvalidUTF8IsCaughtByTheParser() {
        var bytes = Array(#"[{"instruction":"a","input":"","output":"b"},{"instruction":"가"#.utf8)
        bytes += [0xEA, 0xB0]            // the first two bytes of 가 (EA B0 80), cut short
        bytes += Array(#"","input":"","output":"b"}]"#.utf8)
        assertFileError(bytes, contains: ["bad.json", "record 1", "invalid UTF-8"])
    }

    func testDuplicatesOfInstructionAndInputAreCounted() throws {
        let data = try load("""
        [{"instruction": "q", "input": "", "output": "1"},
         {"instruction": "q", "input": "x", "output": "1"},
         {"instruction": "q", "input": "", "output": "1"},
         {"instruction": "r", "input": "", "output": "1"},
         {"instruction": "q", "input": "", "output": "2"},
         {"instruction": "r", "input": "", "output": "1"}]
        """)
        XCTAssertEqual(data.duplicates.groups, [[0, 2, 4], [3, 5]])
        XCTAssertEqual(data.duplicates.extraCopies, 3)
        XCTAssertEqual(data.duplicates.groupsWithDifferentOutputs, 1)
        XCTAssertEqual(data.records.count, 6)              // counted, not removed
    }
}

/// Finding the file among the folders of the data directory.
final class LocateTests: ScratchTestCase {
    var root: String { scratch }

    func write(_ relative: String, _ text: String) throws {
        try FileIO.writeAtomically(root + "/koalpaca/" + relative, text: text)
    }

    func testPrefersAFullCopyOverAPartialOne() throws {
        try write("partial_prefix_1040/ko_alpaca_data.json", String(repeating: " ", count: 100) + "[]")
        XCTAssertTrue(try KoAlpacaFile.choose(dataDirectory: root).path.hasSuffix("partial_prefix_1040/ko_alpaca_data.json"))
        try write("v1.0/ko_alpaca_data.json", "[]")
        let (path, note) = try KoAlpacaFile.choose(dataDirectory: root)
        XCTAssertEqual(path, root + "/koalpaca/v1.0/ko_alpaca_data.json")   // smaller, but full
        XCTAssertTrue(note.contains("also found"))
        XCTAssertTrue(KoAlpacaFile.isPartial(root + "/koalpaca/partial_prefix_1040/ko_alpaca_data.json"))
    }

    func testNoFileIsAClearError() {
        XCTAssertThrowsError(try KoAlpacaFile.choose(dataDirectory: root)) { error in
            XCTAssertTrue(String(describing: error).contains("no ko_alpaca_data.json under"))
        }
    }
}
