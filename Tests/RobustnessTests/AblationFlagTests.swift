import Foundation
import XCTest
import Repro
import Tensor
import Plumbing
import Book

/// The ablations of chapter 06 change one thing each. Checked on the chapters' own outputs at the smoke scale: the
/// flag changes what it says and nothing else.
final class AblationFlagTests: XCTestCase {
    /// --no-repair: the same records in the same order; only the repaired ones differ, and only in their prompt side.
    func testNoRepairChangesOnlyTheRepairedRecords() throws {
        let runs = try SmokeRuns.shared()
        let out = runs.root + "/no-repair"
        try runs.chapters.runOrFail(.dataRepair, Chapters.common(out: out) + ["--no-repair"], log: out + "-ch01.log",
                                    environment: SmokeRuns.environment)
        let repaired = try Records.readJSONLines(runs.first + "/01-data-repair/repaired.jsonl")
        let original = try Records.readJSONLines(out + "/01-data-repair/repaired.jsonl")
        XCTAssertEqual(repaired.count, original.count)
        let differing = zip(repaired, original).filter { $0.0 != $0.1 }
        // The smoke fixture has three class-(a) records, each repaired by one rule.
        XCTAssertEqual(differing.count, 3)
        for (a, b) in differing {
            XCTAssertEqual(a["output"], b["output"], "a repair never touches the answer")
            XCTAssertTrue(a["instruction"] != b["instruction"] || a["input"] != b["input"], "the sentence to correct differs")
        }
        // Every other artifact of chapter 01 (the search, the classes, the repairs it reports) is the baseline's.
        for file in ["candidates.jsonl", "rejects.jsonl", "repairs.md"] {
            XCTAssertEqual(try FileIO.read(out + "/01-data-repair/" + file), try FileIO.read(runs.first + "/01-data-repair/" + file), file)
        }
    }

    /// --no-prompt-mask with the baseline's tokenizer: the same tokenizer, the same ids; the labels differ exactly at
    /// the prompt positions of the training examples, where they now hold the ids; validation stays masked.
    func testNoPromptMaskChangesOnlyTheTrainingLabelsOfThePrompt() throws {
        let runs = try SmokeRuns.shared()
        let out = runs.root + "/no-prompt-mask"
        try runs.copyFirst(["00-pretraining", "01-data-repair"], to: out)
        let tokenizer = runs.first + "/02-prompting/tokenizer.json"
        try runs.chapters.runOrFail(.prompting, Chapters.common(out: out) + ["--no-prompt-mask", "--tokenizer", tokenizer],
                                    log: out + "-ch02.log", environment: SmokeRuns.environment)
        XCTAssertEqual(try FileIO.read(out + "/02-prompting/tokenizer.json"), try FileIO.read(tokenizer))
        XCTAssertEqual(try FileIO.read(out + "/02-prompting/validation.jsonl"), try FileIO.read(runs.first + "/02-prompting/validation.jsonl"))
        let masked = try Records.readJSONLines(runs.first + "/02-prompting/train.jsonl")
        let unmasked = try Records.readJSONLines(out + "/02-prompting/train.jsonl")
        XCTAssertEqual(masked.count, unmasked.count)
        XCTAssertGreaterThan(masked.count, 10)
        for (m, u) in zip(masked, unmasked) {
            let ids = try XCTUnwrap(m["input_ids"]?.array?.compactMap(\.int))
            XCTAssertEqual(u["input_ids"]?.array?.compactMap(\.int), ids)
            let prompt = try XCTUnwrap(m["prompt_tokens"]?.int)
            XCTAssertEqual(u["prompt_tokens"]?.int, prompt)
            let maskedLabels = try XCTUnwrap(m["labels"]?.array?.compactMap(\.int))
            let unmaskedLabels = try XCTUnwrap(u["labels"]?.array?.compactMap(\.int))
            XCTAssertEqual(Array(maskedLabels[..<prompt]), Array(repeating: -100, count: prompt))
            XCTAssertEqual(Array(unmaskedLabels[..<prompt]), Array(ids[..<prompt]))
            XCTAssertEqual(Array(maskedLabels[prompt...]), Array(unmaskedLabels[prompt...]))
        }
    }
}
