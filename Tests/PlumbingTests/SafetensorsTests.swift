import XCTest
import Tensor
@testable import Plumbing

final class SafetensorsTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "safetensors-tests-\(getpid())-\(UUID().uuidString)"
        try FileIO.makeDirectories(directory)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testRoundTripWithHuggingFaceNamesAndMetadata() throws {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], values: [-1, 0.5, 1e-8])
        let path = directory + "/model.safetensors"
        try Safetensors.write([("gpt_neox.layers.0.attention.query_key_value.weight", a), ("embed_out.weight", b)],
                              metadata: ["format": "pt"], to: path)
        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(file.names, ["gpt_neox.layers.0.attention.query_key_value.weight", "embed_out.weight"])
        XCTAssertEqual(try file.tensor("gpt_neox.layers.0.attention.query_key_value.weight").values, a.values)
        XCTAssertEqual(try file.tensor("embed_out.weight").shape, [3])
        XCTAssertEqual(try file.tensor("embed_out.weight").values, b.values)
        // Header padded so the data starts 8-byte aligned.
        let bytes = try FileIO.read(path)
        let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual((8 + n) % 8, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial-\(getpid())"))
    }

    func testReadsReferenceLibraryFilesF32F16BF16() throws {
        let expected = try fixtureJSON()
        func values(_ key: String) -> [Float] {
            expected[key]!.array!.map { $0.string == "inf" ? .infinity : $0.string == "-inf" ? -.infinity : Float($0.double!) }
        }
        let file = try SafetensorsFile(path: fixturePath("reference.safetensors"))
        XCTAssertEqual(file.metadata["note"], "fixture")
        let w = try file.tensor("gpt_neox.layers.0.attention.query_key_value.weight")
        XCTAssertEqual(w.shape, [3, 4])
        XCTAssertEqual(w.values, values("f32"))
        XCTAssertEqual(try file.tensor("half").values, values("f16"))
        XCTAssertEqual(try file.tensor("scalar").shape, [])
        XCTAssertEqual(try file.tensor("scalar").values, [3.25])
        let bf = try SafetensorsFile(path: fixturePath("bf16.safetensors"))
        XCTAssertEqual(try bf.tensor("b").values, values("bf16"))
    }

    func testHalfToFloatEdgeCases() {
        XCTAssertEqual(halfToFloat(0x3C00), 1)
        XCTAssertEqual(halfToFloat(0xC000), -2)
        XCTAssertEqual(halfToFloat(0x0001), Float(5.9604645e-08))   // smallest subnormal
        XCTAssertEqual(halfToFloat(0x7BFF), 65504)
        XCTAssertTrue(halfToFloat(0x7E00).isNaN)
    }

    // MARK: bad files

    func write(_ bytes: [UInt8]) throws -> String {
        let path = directory + "/bad-\(UUID().uuidString).safetensors"
        try FileIO.writeAtomically(path, bytes: bytes)
        return path
    }

    func file(header: String, data: [UInt8]) -> [UInt8] {
        let h = Array(header.utf8)
        return (0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) } + h + data
    }

    func assertRejected(_ bytes: [UInt8], _ fragment: String, line: UInt = #line) throws {
        let path = try write(bytes)
        XCTAssertThrowsError(try SafetensorsFile(path: path), line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(path), "error does not name the file: \(text)", line: line)
            XCTAssertTrue(text.contains(fragment), "\(text) lacks \(fragment)", line: line)
        }
    }

    func testBadFilesGetClearErrors() throws {
        let four = [UInt8](repeating: 0, count: 4)
        try assertRejected([1, 2, 3], "too short")
        try assertRejected([255, 255, 255, 255, 255, 255, 255, 127] + four, "runs past the end")
        try assertRejected(file(header: "{\"a\": ", data: []), "malformed JSON header")
        try assertRejected(file(header: #"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: four + four), "unsupported dtype I64")
        try assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: four), "outside")
        try assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: four), "needs 8")
        try assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#, data: four + four), "overlap")
        try assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: four), "non-negative")
        try assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: four), "larger than the file")
        try assertRejected(file(header: #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: four), "missing dtype")
        // A truncated copy of a good file: its header promises more data than there is.
        let good = directory + "/good.safetensors"
        try Safetensors.write([("w", Tensor(shape: [4], values: [1, 2, 3, 4]))], to: good)
        let bytes = try FileIO.read(good)
        try assertRejected(Array(bytes.dropLast(3)), "outside")
    }

    func testReadChecksNameAndCount() throws {
        let path = directory + "/m.safetensors"
        try Safetensors.write([("w", Tensor(shape: [2], values: [1, 2]))], to: path)
        let f = try SafetensorsFile(path: path)
        XCTAssertThrowsError(try f.tensor("missing")) { XCTAssertTrue("\($0)".contains("no tensor named \"missing\"")) }
        let t = Tensor(zeros: [3])
        XCTAssertThrowsError(try f.read("w", into: t.pointer, count: 3)) { XCTAssertTrue("\($0)".contains("expected 3")) }
    }
}
