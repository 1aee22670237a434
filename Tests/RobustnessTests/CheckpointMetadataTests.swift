import Foundation
import XCTest
import Repro
import Tensor
@testable import ch04_training
import Plumbing

/// --resume reads a checkpoint's metadata; a tampered or foreign one is an error naming the folder, never a trap
/// (a step of −5 used to reach the batch arithmetic and trap on an out-of-range index).
final class CheckpointMetadataTests: XCTestCase {
    func testResumeRefusesAStepOutsideTheRunOrAnotherRecipe() throws {
        let root = NSTemporaryDirectory() + "metadata-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = NeoXConfig(name: "metadata-test", vocabSize: 16, hiddenSize: 8, numLayers: 1, numHeads: 2, rotaryPct: 0.5, maxPositions: 8)
        let examples: [Example] = (0..<6).map { (i: Int) -> Example in
            let token = Int32(2 + i % 5)
            return Example(inputIDs: [1, token, 3, 4], labels: [-100, token, 3, 4])
        }
        try FileIO.writeAtomically(root + "/tokenizer.json", text: "{}")
        func trainer(learningRate: Double = 1e-3) -> CellTrainer {
            CellTrainer(cell: Cell(id: "small-high", size: "small", rate: "high", config: config, learningRate: learningRate),
                        recipe: Recipe(epochs: 2, batchSize: 2, microBatchSize: 2, warmupRatio: 0, gradientClip: 1, seed: 5,
                                       validateEvery: 1, checkpointEvery: 2),
                        training: examples, validation: Array(examples.prefix(2)), directory: root + "/cell", tokenizerPath: root + "/tokenizer.json")
        }
        XCTAssertFalse(try trainer().run(initFrom: nil, resume: false, stopAfter: 2).finished)
        let checkpoint = root + "/cell/checkpoints/step-000002"
        let state = checkpoint + "/" + Checkpoint.trainerStateFile
        let file = try SafetensorsFile(path: state)
        let tensors = try file.names.map { ($0, try file.tensor($0)) }

        for step in ["-5", "7", "x"] {
            var metadata = file.metadata
            metadata["step"] = step
            try Safetensors.write(tensors, metadata: metadata, to: state)
            XCTAssertThrowsError(try trainer().run(initFrom: nil, resume: true, stopAfter: nil)) { error in
                XCTAssertTrue("\(error)".contains("\(checkpoint): not a checkpoint of cell small-high within its 6 steps"), "\(error)")
            }
        }
        try Safetensors.write(tensors, metadata: file.metadata, to: state)
        XCTAssertThrowsError(try trainer(learningRate: 2e-3).run(initFrom: nil, resume: true, stopAfter: nil)) { error in
            XCTAssertTrue("\(error)".contains("learning rate 0.001,") && "\(error)".contains("this run has learning rate 0.002,"), "\(error)")
        }
        XCTAssertTrue(try trainer().run(initFrom: nil, resume: true, stopAfter: nil).finished)
    }
}
