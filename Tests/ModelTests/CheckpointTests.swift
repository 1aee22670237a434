@testable import Repro
import Tensor
import XCTest
import Plumbing
#if canImport(Glibc)
import Glibc
#endif

final class CheckpointTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/model-checkpoint-test-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw FileError(path: "/tmp", problem: "mkdtemp failed") }
        directory = String(cString: template)
    }

    override func tearDown() {
        for file in [Checkpoint.modelFile, Checkpoint.configFile, Checkpoint.trainerStateFile, "bad.safetensors"] {
            unlink(directory + "/" + file)
        }
        rmdir(directory)
    }

    func buffer(_ b: FloatBuffer) -> [Float] { Array(UnsafeBufferPointer(start: b.base, count: b.count)) }

    func testSaveThenLoadGivesIdenticalModelAndOptimizer() throws {
        let model = GPTNeoX(config: tinyConfig(parallel: false, rotaryPct: 0.25), seed: 5)
        randomizeParameters(model, seed: 6)
        let optimizer = AdamW(layout: model.layout)
        let (inputs, targets) = (tokens(12, vocab: 11, seed: 1), tokens(12, vocab: 11, seed: 2))
        for _ in 0..<3 {
            model.zeroGradients()
            try model.forwardBackward(inputs: inputs, targets: targets, batch: 2, length: 6)
            optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-3)
        }
        try Checkpoint.save(model, optimizer: optimizer, metadata: ["rng": "1,2,3,4"], to: directory)

        let loaded = try Checkpoint.loadModel(from: directory)
        XCTAssertEqual(loaded.config, model.config)
        XCTAssertEqual(buffer(loaded.parameters), buffer(model.parameters))
        XCTAssertEqual(try loaded.loss(inputs: inputs, targets: targets, batch: 2, length: 6).loss,
                       try model.loss(inputs: inputs, targets: targets, batch: 2, length: 6).loss)

        let restored = AdamW(layout: loaded.layout)
        let metadata = try Checkpoint.loadTrainerState(into: restored, from: directory)
        XCTAssertEqual(restored.step, 3)
        XCTAssertEqual(metadata["rng"], "1,2,3,4")
        XCTAssertEqual(buffer(restored.m), buffer(optimizer.m))
        XCTAssertEqual(buffer(restored.v), buffer(optimizer.v))
    }

    func errorText(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func testMissingTensorIsNamed() throws {
        let model = GPTNeoX(config: tinyConfig(parallel: true), seed: 1)
        let path = directory + "/bad.safetensors"
        try Safetensors.write(model.namedParameters.filter { $0.name != "gpt_neox.layers.1.attention.dense.bias" }, to: path)
        let message = errorText { try Checkpoint.loadParameters(into: GPTNeoX(config: model.config), from: path) }
        XCTAssertEqual(message, "\(path): does not match the config: missing tensor \"gpt_neox.layers.1.attention.dense.bias\" [16]")
    }

    func testWrongShapeAndUnknownTensorAreNamed() throws {
        let model = GPTNeoX(config: tinyConfig(parallel: true), seed: 1)
        let path = directory + "/bad.safetensors"
        var tensors = model.namedParameters.map { entry -> (name: String, tensor: Tensor) in
            entry.name == "embed_out.weight" ? (entry.name, entry.tensor.reshaped([16, 11])) : entry
        }
        tensors.append(("gpt_neox.layers.0.attention.rotary_emb.inv_freq", Tensor(zeros: [2])))   // derived: skipped
        tensors.append(("score.weight", Tensor(zeros: [2])))
        try Safetensors.write(tensors, to: path)
        let message = errorText { try Checkpoint.loadParameters(into: GPTNeoX(config: model.config), from: path) }
        XCTAssertEqual(message, "\(path): does not match the config: tensor \"embed_out.weight\" has shape [16, 11], "
                       + "the model needs [11, 16]; unexpected tensor \"score.weight\" (not a parameter of tiny)")
    }

    func testMissingFilesAreReported() throws {
        XCTAssertTrue(errorText { _ = try Checkpoint.loadModel(from: directory) }.hasPrefix(directory + "/config.json: cannot open"))
        let model = GPTNeoX(config: tinyConfig(parallel: true), seed: 1)
        try Checkpoint.save(model, to: directory)
        XCTAssertTrue(errorText { try Checkpoint.loadTrainerState(into: AdamW(layout: model.layout), from: directory) }
            .hasPrefix(directory + "/trainer_state.safetensors: cannot open"))
        // A checkpoint of another size does not load into this model.
        let other = AdamW(layout: tinyConfig(parallel: true, hidden: 8).parameterLayout)
        try Checkpoint.save(model, optimizer: AdamW(layout: model.layout), to: directory)
        XCTAssertTrue(errorText { try Checkpoint.loadTrainerState(into: other, from: directory) }
            .contains("tensor \"adamw.m\" has shape [\(model.layout.totalCount)], the optimizer needs [\(other.m.count)]"))
    }
}
