import Foundation
import Repro
import Tensor
import XCTest
@testable import ch05_evaluation
import Plumbing

/// The chapter end to end on the project's smoke data, evaluating one --checkpoint directory (a tiny random model and
/// a small tokenizer): what it writes and what the tables say.
final class ChapterTests: ScratchTestCase {
    func makeCheckpoint() throws -> String {
        let tokenizer = try makeSmallTokenizer()
        let config = NeoXConfig(name: "test-tiny", vocabSize: Preset.paddedVocabulary(tokenizer.vocabularySize), hiddenSize: 16,
                                numLayers: 1, numHeads: 2, rotaryPct: 0.5, maxPositions: 160)
        let directory = scratch + "/model"
        try Checkpoint.save(GPTNeoX(config: config, seed: 3), to: directory)
        try tokenizer.save(to: directory + "/tokenizer.json")
        return directory
    }

    func testCheckpointEndToEnd() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot") else { throw XCTSkip("gnuplot is not installed") }
        let checkpoint = try makeCheckpoint()
        let out = scratch + "/out"
        let chapter = try EvaluationChapter.parse(["--checkpoint", checkpoint, "--data-dir", fixturesData, "--out", out,
                                                   "--scale", "smoke", "--max-new-tokens", "6", "--rouge-level", "eojeol"])
        try chapter.run()
        let dir = out + "/05-evaluation/"
        let table4 = String(decoding: try FileIO.read(dir + Output.table4), as: UTF8.self)
        // The paper's four rows, in its layout, and ours.
        for row in ["| Polyglot-5.8b (paper) | 5e-5 | 0.10 | 0.08 | 38.1 | — |", "| Polyglot-5.8b (paper) | 7e-6 | 0.16 | 0.12 | 38.1 | — |",
                    "| Polyglot-12.8b (paper) | 5e-5 | 0.10 | 0.08 | 54.8 | — |", "| Polyglot-12.8b (paper) | 7e-6 | 0.15 | 0.12 | 64.1 | — |",
                    "| test-tiny (ours, checkpoint) | — |"] {
            XCTAssertTrue(table4.contains(row), "missing \(row) in\n\(table4)")
        }
        XCTAssertTrue(table4.contains("ROUGE F1 at the eojeol level"))
        XCTAssertTrue(table4.contains("Always answering the majority label scores 50.0% on our scored subset (20 긍정 / 20 부정)"), table4)

        // Every prediction, with its scores; the smoke preset scores 40 reviews and 3 articles (4 at most).
        let summaries = try Records.readJSONLines(dir + "cells/checkpoint/summaries.jsonl")
        XCTAssertEqual(summaries.count, 3)
        for s in summaries {
            let prediction = try XCTUnwrap(s["prediction"]?.string), reference = try XCTUnwrap(s["reference"]?.string)
            let pair = Rouge.score(prediction: prediction, reference: reference, level: .eojeol)
            XCTAssertEqual(s["eojeol_rouge1_f1"]?.double, pair.rouge1.f1)
            XCTAssertLessThanOrEqual(try XCTUnwrap(s["prompt_tokens"]?.int), 160 - 6)
        }
        let nsmc = try Records.readJSONLines(dir + "cells/checkpoint/nsmc.jsonl")
        XCTAssertEqual(nsmc.count, 40)
        for o in nsmc {
            let parsed = NSMC.parseAnswer(try XCTUnwrap(o["answer"]?.string))
            XCTAssertEqual(o["parsed"]?.string, parsed?.word)
            let positive = try XCTUnwrap(o["logp_positive"]?.double), negative = try XCTUnwrap(o["logp_negative"]?.double)
            XCTAssertEqual(o["likelihood_choice"]?.string, positive >= negative ? "긍정" : "부정")
        }
        let samples = String(decoding: try FileIO.read(dir + Output.samples), as: UTF8.self)
        XCTAssertTrue(samples.contains("## checkpoint — test-tiny"))
        XCTAssertEqual(samples.components(separatedBy: "- reference: ").count - 1, 3)
        for file in ["rouge.png", "nsmc-accuracy.png", "table4.csv", "rouge.md", "nsmc.md", "timing.md", "notebook.md"] {
            XCTAssertTrue(FileIO.exists(dir + file), file)
        }
        let manifest = try JSON.parse(try FileIO.read(dir + "manifest.json"))
        XCTAssertNotNil(manifest["outputs"]?["cells/checkpoint/nsmc.jsonl"]?.string)
        XCTAssertEqual(manifest["options"]?["rouge_level"]?.string, "eojeol")
    }

    /// A prompt too long for the context stops the summaries with the way out named; --no-summaries takes it: no
    /// summary, no ROUGE (a dash, not a zero), NSMC as usual.
    func testNoSummaries() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot") else { throw XCTSkip("gnuplot is not installed") }
        let checkpoint = try makeCheckpoint()
        let tooFew = try EvaluationChapter.parse(["--checkpoint", checkpoint, "--data-dir", fixturesData, "--out", scratch + "/full",
                                                  "--scale", "smoke", "--max-new-tokens", "150"])
        XCTAssertThrowsError(try tooFew.run()) { error in
            XCTAssertTrue("\(error)".contains("more than the 10 available"), "\(error)")
            XCTAssertTrue("\(error)".contains("--no-summaries leaves the summarization test out"), "\(error)")
        }
        let out = scratch + "/out"
        try EvaluationChapter.parse(["--checkpoint", checkpoint, "--data-dir", fixturesData, "--out", out, "--scale", "smoke",
                                     "--max-new-tokens", "150", "--no-summaries"]).run()
        let dir = out + "/05-evaluation/"
        XCTAssertEqual(try Records.readJSONLines(dir + "cells/checkpoint/summaries.jsonl").count, 0)
        XCTAssertEqual(try Records.readJSONLines(dir + "cells/checkpoint/nsmc.jsonl").count, 40)
        let table4 = String(decoding: try FileIO.read(dir + Output.table4), as: UTF8.self)
        XCTAssertTrue(table4.contains("| test-tiny (ours, checkpoint) | — | — | — |"), table4)
        XCTAssertTrue(table4.contains("| no model: majority-label answer | — | — | — | 50.0 | — |"), table4)
        XCTAssertTrue(table4.contains("ROUGE: not scored (--no-summaries)."), table4)
        XCTAssertFalse(FileIO.exists(dir + Output.rouge))
        XCTAssertFalse(FileIO.exists(dir + "rouge.png"))
        XCTAssertTrue(FileIO.exists(dir + "nsmc-accuracy.png"))
    }

    func testWithoutChapter04ItSaysWhatToRun() throws {
        let chapter = try EvaluationChapter.parse(["--data-dir", fixturesData, "--out", scratch + "/empty", "--scale", "smoke"])
        XCTAssertThrowsError(try chapter.run()) { error in
            XCTAssertTrue("\(error)".contains("chapter 4 (training) has not finished"), "\(error)")
        }
    }

    func testBadOptionsAreRefused() {
        XCTAssertThrowsError(try EvaluationChapter.parse(["--checkpoint", "x", "--cells", "small-high"]))
        XCTAssertThrowsError(try EvaluationChapter.parse(["--rouge-level", "ascii"]))
        XCTAssertThrowsError(try EvaluationChapter.parse(["--top-p", "1.5", "--temperature", "1"]))
    }
}
