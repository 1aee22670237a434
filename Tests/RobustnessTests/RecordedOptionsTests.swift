import ArgumentParser
import Foundation
import XCTest
import Book
import Plumbing
@testable import ch00_pretraining
@testable import ch01_data_repair
@testable import ch02_prompting
@testable import ch03_model_config
@testable import ch04_training
@testable import ch05_evaluation
@testable import ch06_ablations

/// Every option of every chapter is recorded in its manifest, so changing any of them makes the next run redo the
/// chapter. One row per option: the arguments that change it. A chapter that gains an option without a row here fails
/// the coverage check, so the table cannot fall behind the code.
final class RecordedOptionsTests: XCTestCase {
    static let common = ["--scale", "smoke", "--out", "/tmp/out", "--data-dir", "/tmp/data"]
    static let commonVariants: [String: [String]] = [
        "scale": ["--scale", "course"], "out": ["--out", "/tmp/other"], "data_dir": ["--data-dir", "/tmp/elsewhere"],
        "seed": ["--seed", "7"],
    ]

    /// Parse `Command` with the common arguments and each variant; every variant must change the recorded options,
    /// and the variants must cover every recorded option.
    func check<Command: ChapterCommand>(_ type: Command.Type, _ variants: [String: [String]]) throws {
        let base = try Command.parse(Self.common).recordedOptions
        let all = variants.merging(Self.commonVariants) { a, _ in a }
        XCTAssertEqual(Set(base.keys), Set(all.keys), "\(Command.chapter.executable): the table does not cover its options")
        for (option, arguments) in all {
            // The common options come first on the command line; a variant's value replaces the default after them.
            let changed = try Command.parse(Self.common + arguments).recordedOptions
            XCTAssertNotEqual(changed[option], base[option], "\(Command.chapter.executable) \(arguments): \(option) not recorded")
        }
        for control in Command.runControl {
            XCTAssertNil(base[RecordedOptions.snakeCase(control)], "\(control) is run control and must not be recorded")
        }
    }

    func testChapter00() throws {
        try check(PretrainingChapter.self, ["corpus": ["--corpus", "wiki"], "models": ["--models", "sweep"], "tokens": ["--tokens", "1000"],
                                            "learning_rate": ["--learning-rate", "1e-3"], "batch_size": ["--batch-size", "4"],
                                            "compare_with": ["--compare-with", "other"]])
        XCTAssertEqual(try PretrainingChapter.parse(Self.common + ["--resume", "--stop-after", "3"]).recordedOptions,
                       try PretrainingChapter.parse(Self.common).recordedOptions)
    }

    func testChapter01() throws {
        try check(DataRepairChapter.self, ["no_repair": ["--no-repair"], "table_rows": ["--table-rows", "5"]])
    }

    func testChapter02() throws {
        try check(PromptingChapter.self, ["template": ["--template", "bilingual"], "tokenizer": ["--tokenizer", "t.json"],
                                          "no_prompt_mask": ["--no-prompt-mask"], "no_eos": ["--no-eos"],
                                          "training_records": ["--training-records", "20"]])
    }

    func testChapter03() throws {
        try check(ModelConfigChapter.self, ["utilisation": ["--utilisation", "0.2"], "tokens_per_record": ["--tokens-per-record", "300"],
                                            "sequence": ["--sequence", "1024"]])
    }

    func testChapter04() throws {
        // --init must name a model folder (validate() looks for its config.json).
        let base = NSTemporaryDirectory() + "base-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileIO.writeAtomically(base + "/config.json", text: "{}\n")
        try check(TrainingChapter.self, ["cells": ["--cells", "small-high"], "models": ["--models", "sweep"],
                                         "learning_rates": ["--learning-rates", "1e-3,1e-4"], "epochs": ["--epochs", "2"],
                                         "batch_size": ["--batch-size", "4"], "micro_batch": ["--micro-batch", "2"],
                                         "weight_decay": ["--weight-decay", "0.1"], "init_from": ["--init", base],
                                         "no_pretraining": ["--no-pretraining"], "pretrained_from": ["--pretrained-from", "elsewhere"],
                                         "no_group_by_length": ["--no-group-by-length"]])
        // Resuming or stopping early changes how a run gets there, not what it computes.
        XCTAssertEqual(try TrainingChapter.parse(Self.common + ["--resume", "--stop-after", "3"]).recordedOptions,
                       try TrainingChapter.parse(Self.common).recordedOptions)
    }

    func testChapter05() throws {
        try check(EvaluationChapter.self, [
            "checkpoint": ["--checkpoint", "dir"], "cells": ["--cells", "small-high"], "pretrained_from": ["--pretrained-from", "elsewhere"],
            "summaries": ["--summaries", "s.jsonl"],
            "summary_prompt": ["--summary-prompt", "raw"], "nsmc_prompt": ["--nsmc-prompt", "template"],
            "template": ["--template", "bilingual"], "demonstration_per_example": ["--demonstration-per-example"],
            "rouge_level": ["--rouge-level", "eojeol"], "max_new_tokens": ["--max-new-tokens", "5"],
            "nsmc_scored": ["--nsmc-scored", "10"], "temperature": ["--temperature", "0.7"], "top_k": ["--top-k", "5"],
            "top_p": ["--top-p", "0.9"], "no_bases": ["--no-bases"], "no_summaries": ["--no-summaries"],
        ])
    }

    func testChapter06() throws {
        try check(AblationsChapter.self, ["only": ["--only", "seed"], "training_records": ["--training-records", "3000"]])
    }
}
