import Foundation
import XCTest
@testable import Repro
import Tensor
import Plumbing
import Book

/// Same seed → same bytes: two runs of chapters 01–04 write identical files, but for wall-clock time (WallTime).
final class DeterminismTests: XCTestCase {
    func testTwoRunsWithTheSameSeedWriteTheSameBytes() throws {
        let runs = try SmokeRuns.shared()
        let files = try Tree.files(runs.first)
        XCTAssertEqual(files, try Tree.files(runs.second))
        XCTAssertGreaterThan(files.count, 60)
        var identical = 0, sameOnceTimesMasked: [String] = []
        for file in files {
            let a = try FileIO.read(runs.first + "/" + file), b = try FileIO.read(runs.second + "/" + file)
            if a == b { identical += 1; continue }
            XCTAssertEqual(try WallTime.masked(file, a), try WallTime.masked(file, b), file)
            sameOnceTimesMasked.append(file)
        }
        print("\(identical) of \(files.count) files byte-identical; equal once wall times are masked: \(sameOnceTimesMasked)")
        // Everything that is not about time is identical, whatever the masks allow.
        for file in files where !WallTime.timedFiles.contains((file as NSString).lastPathComponent) && !file.hasSuffix("manifest.json") {
            XCTAssertFalse(sameOnceTimesMasked.contains(file), "\(file) differs between the runs")
        }
    }

    /// The masks hide times and nothing else: a changed loss or file hash is still seen.
    func testTheWallTimeMasksHideOnlyTimes() throws {
        let table = "| cell | final train loss | wall time | tokens/s |\n| --- | ---: | ---: | ---: |\n| small-high | 5.177 | 18.4 s | 673 |\n\n*Wall time: 32.5 s.*"
        XCTAssertEqual(WallTime.maskMarkdown(table), WallTime.maskMarkdown(table.replacingOccurrences(of: "18.4 s | 673", with: "11.3 s | 1094")
                                                                           .replacingOccurrences(of: "32.5", with: "1.0")))
        XCTAssertNotEqual(WallTime.maskMarkdown(table), WallTime.maskMarkdown(table.replacingOccurrences(of: "5.177", with: "5.178")))
        let csv = "cell,model,\"tokens seen\",wall time,tokens/s\nsmall-high,smoke-small,\"12,399\",18.4 s,673"
        XCTAssertEqual(WallTime.maskCSV(csv), WallTime.maskCSV(csv.replacingOccurrences(of: "18.4 s,673", with: "11.3 s,1094")))
        XCTAssertNotEqual(WallTime.maskCSV(csv), WallTime.maskCSV(csv.replacingOccurrences(of: "12,399", with: "12,398")))
        let manifest = #"{"outputs": {"a.jsonl": "1", "notebook.md": "2"}, "wall_seconds": 0.4}"#
        XCTAssertEqual(try WallTime.masked("manifest.json", Array(manifest.utf8)),
                       try WallTime.masked("manifest.json", Array(manifest.replacingOccurrences(of: "\"2\"", with: "\"3\"").replacingOccurrences(of: "0.4", with: "9").utf8)))
        XCTAssertNotEqual(try WallTime.masked("manifest.json", Array(manifest.utf8)),
                          try WallTime.masked("manifest.json", Array(manifest.replacingOccurrences(of: "\"1\"", with: "\"3\"").utf8)))
    }

    /// Another seed: chapter 01 (no randomness) writes the same data; chapter 02 splits the records differently;
    /// chapter 04 starts from other weights and visits the examples in another order.
    func testAnotherSeedChangesTheSplitTheOrderAndTheWeights() throws {
        let runs = try SmokeRuns.shared()
        let out = runs.root + "/seed-99"
        for chapter in [Chapter.pretraining, .dataRepair, .prompting] {
            try runs.chapters.runOrFail(chapter, Chapters.common(out: out, seed: 99), log: out + "-\(chapter).log",
                                        environment: SmokeRuns.environment)
        }
        for file in ["repaired.jsonl", "rejects.jsonl", "candidates.jsonl", "repairs.md", "summary.md"] {
            XCTAssertEqual(try FileIO.read(out + "/01-data-repair/" + file), try FileIO.read(runs.first + "/01-data-repair/" + file), file)
        }
        func records(_ run: String, _ file: String) throws -> [Int] {
            try Records.readJSONLines(run + "/02-prompting/" + file).map { try XCTUnwrap($0["record"]?.int) }
        }
        let (train, validation) = (try records(runs.first, "train.jsonl"), try records(runs.first, "validation.jsonl"))
        let (train99, validation99) = (try records(out, "train.jsonl"), try records(out, "validation.jsonl"))
        XCTAssertNotEqual(validation, validation99, "the held-out records should change with the seed")
        XCTAssertEqual(train.count, train99.count)
        XCTAssertEqual(validation.count, validation99.count)

        // Chapter 04's randomness: initial weights and the order of each epoch, both from the seed alone.
        let config = Preset.smoke.models.small
        let (a, b, c) = (GPTNeoX(config: config, seed: 1234), GPTNeoX(config: config, seed: 99), GPTNeoX(config: config, seed: 99))
        let weights = { (model: GPTNeoX) in Array(UnsafeBufferPointer(start: model.parameters.base, count: model.parameters.count)) }
        XCTAssertNotEqual(weights(a), weights(b))
        XCTAssertEqual(weights(b), weights(c))
    }
}
