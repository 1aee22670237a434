// Sharded checkpoints (model.safetensors.index.json + model-0000N-of-0000M.safetensors, as save_pretrained writes large
// models) load into the same parameters as the single file; a PyTorch pickle gets a clear refusal.
@testable import Repro
import Tensor
import XCTest
import Plumbing

final class ShardedCheckpointTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "shards-\(UUID().uuidString)"
        try FileIO.makeDirectories(dir)
        return dir
    }

    func testShardsLoadIntoTheSameParametersAsOneFile() throws {
        let source = HuggingFaceFixtureTests.fixtures + "/neox-rotary-quarter-sequential"
        let reference = try Checkpoint.loadModel(from: source)
        let dir = try temporaryDirectory()
        try FileIO.writeAtomically(dir + "/config.json", bytes: FileIO.read(source + "/config.json"))
        // Split the parameters over three shards in layout order, and write the index that names them.
        let named = reference.namedParameters
        let cut = [0, named.count / 3, 2 * named.count / 3, named.count]
        var map = JSONObject()
        for s in 0..<3 {
            let file = "model-0000\(s + 1)-of-00003.safetensors"
            let part = Array(named[cut[s]..<cut[s + 1]])
            try Safetensors.write(part.map { ($0.name, $0.tensor) }, metadata: ["format": "pt"], to: dir + "/" + file)
            for (name, _) in part { map[name] = .string(file) }
        }
        try FileIO.writeAtomically(dir + "/" + Checkpoint.shardIndexFile,
                                   text: JSON(["metadata": JSON(["total_size": 0]), "weight_map": .object(map)]).serialized())
        let loaded = try Checkpoint.loadModel(from: dir)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: loaded.parameters.base, count: loaded.parameters.count)),
                       Array(UnsafeBufferPointer(start: reference.parameters.base, count: reference.parameters.count)))
        // A shard that goes missing is named.
        try FileManager.default.removeItem(atPath: dir + "/model-00002-of-00003.safetensors")
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir)) { XCTAssertTrue("\($0)".contains("model-00002-of-00003.safetensors"), "\($0)") }
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testPickleCheckpointsAreRefusedWithAWayOut() throws {
        let dir = try temporaryDirectory()
        try FileIO.writeAtomically(dir + "/config.json", bytes: FileIO.read(HuggingFaceFixtureTests.fixtures + "/neox-rotary-quarter-sequential/config.json"))
        try FileIO.writeAtomically(dir + "/pytorch_model.bin", text: "not read")
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir)) {
            XCTAssertTrue("\($0)".contains("pytorch_model.bin") && "\($0)".contains("safe_serialization=True"), "\($0)")
        }
        try FileManager.default.removeItem(atPath: dir + "/pytorch_model.bin")
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir)) { XCTAssertTrue("\($0)".contains("neither"), "\($0)") }
        try? FileManager.default.removeItem(atPath: dir)
    }
}
