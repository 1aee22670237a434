import Foundation
import XCTest
import Plumbing
import Book

/// `ch02-prompting --training-records N` trains on the first N records of the same seeded shuffle: fewer records are
/// a subset of the scale's own choice, the validation examples do not move, and the notebook says where the limit
/// came from. (The smoke fixture's 46 training records (50 after chapter 01, 4 held out) are all under the smoke scale's own limit of 48.)
final class TrainingRecordsTests: XCTestCase {
    func testFewerRecordsAreASubsetAndValidationStays() throws {
        let runs = try SmokeRuns.shared()
        let out = runs.root + "/training-records"
        try runs.copyFirst(["00-pretraining", "01-data-repair"], to: out)
        try runs.chapters.runOrFail(.prompting, Chapters.common(out: out) + ["--training-records", "20"],
                                    log: out + "-ch02.log", environment: SmokeRuns.environment)
        XCTAssertEqual(try FileIO.read(out + "/02-prompting/validation.jsonl"), try FileIO.read(runs.first + "/02-prompting/validation.jsonl"))
        func records(_ root: String) throws -> [Int] {
            try Records.readJSONLines(root + "/02-prompting/train.jsonl").map { try XCTUnwrap($0["record"]?.int) }
        }
        let all = try records(runs.first), some = try records(out)
        XCTAssertEqual(all.count, 46)
        XCTAssertEqual(some.count, 20)
        XCTAssertTrue(Set(some).isSubset(of: Set(all)))
        let examples = try Records.readJSONLines(out + "/02-prompting/train.jsonl")
        let baseline = Dictionary(uniqueKeysWithValues: try Records.readJSONLines(runs.first + "/02-prompting/train.jsonl")
            .map { (try XCTUnwrap($0["record"]?.int), $0) })
        for e in examples { XCTAssertEqual(e, baseline[try XCTUnwrap(e["record"]?.int)], "the same record makes the same example") }
        let notebook = try String(contentsOfFile: out + "/02-prompting/notebook.md", encoding: .utf8)
        XCTAssertTrue(notebook.contains("20 train (at most 20: `--training-records 20`; 26 more are there)"), notebook)
        let firstNotebook = try String(contentsOfFile: runs.first + "/02-prompting/notebook.md", encoding: .utf8)
        XCTAssertTrue(firstNotebook.contains("46 train (all there are; the `smoke` scale's limit is 48)"), firstNotebook)
    }
}
