import Foundation
import XCTest
import Plumbing
import Repro
import Tensor

/// --resume reads a checkpoint's metadata; a tampered or foreign one is an error naming the folder, never a trap
/// (a step of −5 used to reach the batch arithmetic and trap on an out-of-range index), and a checkpoint made with any
/// other recipe field or other data is refused.
final class CheckpointMetadataTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "metadata-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    static let config = NeoXConfig(name: "metadata-test", vocabSize: 16, hiddenSize: 8, numLayers: 1, numHeads: 2, rotaryPct: 0.5, maxPositions: 8)
    static let examples: [TrainingExample] = (0..<6).map { (i: Int) -> TrainingExample in
        let token = Int32(2 + i % 5)
        return TrainingExample(record: i, inputIDs: [1, token, 3, 4], labels: [-100, token, 3, 4], promptTokens: 1)
    }

    func trainer(learningRate: Double = 1e-3, examples: [TrainingExample] = examples, change: (inout Recipe) -> Void = { _ in }) -> Trainer<ValidationRecord> {
        var recipe = Recipe(epochs: 2, batchSize: 2, microBatchSize: 2, warmupRatio: 0, gradientClip: 1, seed: 5,
                            validateEvery: 1, checkpointEvery: 2)
        change(&recipe)
        let batches = ExampleBatches(examples, epochs: recipe.epochs, batchSize: recipe.batchSize,
                                     microBatchSize: recipe.microBatchSize, seed: recipe.seed, groupByLength: recipe.groupByLength)
        return Trainer(model: GPTNeoX(config: Self.config, seed: recipe.seed), recipe: recipe, peakLearningRate: learningRate,
                       batches: batches, directory: root + "/cell", name: "small-high") { model, step in
            ValidationRecord(step: step, loss: try meanLoss(model, examples, microBatch: 2), trainResponseLoss: 0)
        }
    }

    func testResumeRefusesAStepOutsideTheRun() throws {
        XCTAssertFalse(try trainer().run(resume: false, stopAfter: 2).finished)
        let checkpoint = root + "/cell/checkpoints/step-000002"
        let state = checkpoint + "/" + Checkpoint.trainerStateFile
        let file = try SafetensorsFile(path: state)
        let tensors = try file.names.map { ($0, try file.tensor($0)) }
        for step in ["-5", "7", "x"] {
            var metadata = file.metadata
            metadata["step"] = step
            try Safetensors.write(tensors, metadata: metadata, to: state)
            XCTAssertThrowsError(try trainer().run(resume: true, stopAfter: nil)) { error in
                XCTAssertTrue("\(error)".contains("\(checkpoint): not a checkpoint of small-high within its 6 steps"), "\(error)")
            }
        }
        try Safetensors.write(tensors, metadata: file.metadata, to: state)
        XCTAssertTrue(try trainer().run(resume: true, stopAfter: nil).finished)
    }

    /// Every field the recipe description names, changed one at a time: each makes --resume refuse the checkpoint,
    /// naming what it was made with; the unchanged recipe resumes.
    func testResumeRefusesEveryOtherRecipeFieldAndOtherData() throws {
        let changes: [(String, () -> Trainer<ValidationRecord>)] = [
            ("learning rate", { self.trainer(learningRate: 2e-3) }),
            ("seed", { self.trainer { $0.seed = 6 } }),
            ("steps", { self.trainer { $0.epochs = 3 } }),
            ("batch", { self.trainer { $0.batchSize = 3; $0.microBatchSize = 3 } }),
            ("micro-batch", { self.trainer { $0.microBatchSize = 1 } }),
            ("warmup", { self.trainer { $0.warmupRatio = 0.5 } }),
            ("clipping", { self.trainer { $0.gradientClip = 0.5 } }),
            ("beta1", { self.trainer { $0.beta1 = 0.8 } }),
            ("beta2", { self.trainer { $0.beta2 = 0.99 } }),
            ("eps", { self.trainer { $0.eps = 1e-6 } }),
            ("weight decay", { self.trainer { $0.weightDecay = 0.1 } }),
            ("data", { self.trainer(examples: Self.examples.reversed()) }),
        ]
        for (field, make) in changes {
            XCTAssertFalse(try trainer().run(resume: false, stopAfter: 2).finished)
            XCTAssertThrowsError(try make().run(resume: true, stopAfter: nil), field) { error in
                XCTAssertTrue("\(error)".contains("was made with learning rate 0.001,") && "\(error)".contains("Run without --resume"),
                              "\(field): \(error)")
            }
        }
        XCTAssertTrue(try trainer().run(resume: true, stopAfter: nil).finished)
    }
}
