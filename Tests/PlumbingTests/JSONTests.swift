import XCTest
import Tensor
@testable import Plumbing

final class JSONTests: XCTestCase {
    func testParsesAndKeepsKeyOrder() throws {
        let j = try JSON.parse(#"{"b": [1, 2.5, -3e2, true, false, null], "a": "한국어 \"q\" \u00e9 \ud83d\ude00", "c": {}}"#)
        XCTAssertEqual(j.object?.keys, ["b", "a", "c"])
        XCTAssertEqual(j["b"]?.array?.map(\.double), [1, 2.5, -300, nil, nil, nil])
        XCTAssertEqual(j["a"]?.string, "한국어 \"q\" é 😀")
        XCTAssertEqual(j.serialized(), #"{"b":[1,2.5,-300,true,false,null],"a":"한국어 \"q\" é 😀","c":{}}"#)
        XCTAssertEqual(try JSON.parse(j.serialized(pretty: true)), j)
    }

    func testIntegersAreExactOrNil() throws {
        XCTAssertEqual(try JSON.parse("9007199254740992").int, 9_007_199_254_740_992)
        XCTAssertNil(try JSON.parse("1.5").int)
        XCTAssertNil(try JSON.parse("1e300").int)
    }

    func assertError(_ text: [UInt8], contains fragment: String, record: Int? = nil, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try JSON.parse(text, file: "data.json")
            XCTFail("expected an error containing \(fragment)", file: file, line: line)
        } catch {
            XCTAssertTrue(error.description.contains(fragment), "\(error.description) lacks \(fragment)", file: file, line: line)
            XCTAssertTrue(error.description.hasPrefix("data.json: "), file: file, line: line)
            XCTAssertEqual(error.record, record, file: file, line: line)
        }
    }

    func testErrorsNameFileRecordAndPlace() {
        assertError(Array("".utf8), contains: "empty file")
        assertError(Array("[{\"a\": 1}, {\"a\": 2".utf8), contains: "truncated", record: 1)
        assertError(Array("[{\"a\": 1}, {\"a\" 2}]".utf8), contains: "expected ':'", record: 1)
        assertError(Array("[1, 2, oops]".utf8), contains: "where a value should start", record: 2)
        assertError(Array("{\"a\": 1} x".utf8), contains: "after the JSON value")
        assertError(Array("{\"a\": 1, \"a\": 2}".utf8), contains: "duplicate key")
        assertError(Array("\"tab\there\"".utf8), contains: "control character")
        assertError(Array("\"\\ud800\"".utf8), contains: "lone high surrogate")
        assertError(Array(repeating: UInt8(ascii: "["), count: 10_000), contains: "nesting deeper", record: 0)
        // Invalid UTF-8 inside a string, in record 1: 0xFF can never appear in UTF-8.
        assertError(Array("[\"ok\", \"b".utf8) + [0xFF] + Array("d\"]".utf8), contains: "invalid UTF-8", record: 1)
        // A truncated multi-byte sequence (first two bytes of 한).
        assertError(Array("[\"".utf8) + [0xED, 0x95] + Array("\"]".utf8), contains: "invalid UTF-8", record: 0)
    }

    func testLineAndColumnAreReported() {
        do { _ = try JSON.parse("[\n  1,\n  x]") ; XCTFail() } catch {
            XCTAssertEqual(error.line, 3); XCTAssertEqual(error.column, 3)
        }
    }

    func testEscapesControlCharactersWhenWriting() throws {
        let s = JSON.string("a\u{01}\n\t\"\\")
        XCTAssertEqual(s.serialized(), #""a\u0001\n\t\"\\""#)
        XCTAssertEqual(try JSON.parse(s.serialized()), s)
    }
}
