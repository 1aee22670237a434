import XCTest
import Tensor
@testable import Plumbing

final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        // FIPS 180-4 examples and the empty string.
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testIncrementalEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var h = SHA256()
        h.update(data[0..<1]); h.update(data[1..<100]); h.update(data[100..<1000])
        XCTAssertEqual(h.finalize().map { String(format: "%02x", $0) }.joined(), SHA256.hex(data))
    }
}

final class RecordsTests: XCTestCase {
    func temporary(_ text: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "records-\(UUID().uuidString).jsonl"
        try FileIO.writeAtomically(path, bytes: text)
        return path
    }

    func testJSONLinesNameTheLineOfABadRecord() throws {
        let path = try temporary(Array("{\"a\":1}\n\n{\"a\":2}\n{\"a\":\n".utf8))
        XCTAssertThrowsError(try Records.readJSONLines(path)) { error in
            let e = error as! RecordError
            XCTAssertEqual(e.line, 4); XCTAssertEqual(e.record, 2)
            XCTAssertTrue(e.description.hasPrefix(path + ":4: record 2: "), e.description)
        }
        let good = try temporary(Array("{\"a\":1}\r\n{\"a\":2}".utf8))
        XCTAssertEqual(try Records.readJSONLines(good).count, 2)
    }

    func testJSONArrayErrors() throws {
        XCTAssertThrowsError(try Records.readJSONArray(try temporary([]))) { XCTAssertTrue("\($0)".contains("file is empty")) }
        XCTAssertThrowsError(try Records.readJSONArray(try temporary(Array("{}".utf8)))) { XCTAssertTrue("\($0)".contains("not a JSON array")) }
        XCTAssertThrowsError(try Records.readJSONArray(try temporary(Array("[{\"x\":1},{\"x\":".utf8)))) { error in
            XCTAssertEqual((error as! RecordError).record, 1)
        }
        XCTAssertThrowsError(try Records.readJSONArray("/nonexistent/file.json")) { XCTAssertTrue("\($0)".contains("/nonexistent/file.json")) }
    }
}

