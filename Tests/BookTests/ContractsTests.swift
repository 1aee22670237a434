import Foundation
import XCTest
import Book
import Plumbing
import Repro

/// Every schema shared between chapters is one type that writes and reads its file: what is written reads back
/// equal, and a file in another layout is refused naming the file and the line.
final class ContractsTests: XCTestCase {
    var directory = ""
    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "contracts-\(UUID().uuidString)"
        try FileIO.makeDirectories(directory)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func roundTrip<T: WritableArtifact>(_ value: T, _ name: String) throws -> T {
        let path = directory + "/" + name
        try FileIO.writeAtomically(path, bytes: value.bytes)
        return try T.read(from: path)
    }

    func testChapter02sStatsRoundTrip() throws {
        let stats = PromptingStats(records: 10, trainingExamples: 8, validationExamples: 2, meanTokensPerRecord: 81.5, tokens: 815,
                                   labelledPositions: 300, truncated: 1, dropped: 0, tokensPerSyllable: 0.77, vocabularySize: 4000,
                                   contextLength: 256, template: .bilingual, tokenizerSource: PromptingStats.baseTokenizer)
        XCTAssertEqual(try roundTrip(stats, "stats.json"), stats)
        try FileIO.writeAtomically(directory + "/old.json", text: "{\"records\": 10}")
        XCTAssertThrowsError(try PromptingStats.read(from: directory + "/old.json")) {
            XCTAssertTrue("\($0)".contains("old.json: expected a string \"template\""), "\($0)")
        }
    }

    func testTheGridRoundTripsWithAndWithoutValidation() throws {
        let grid = Grid(cells: [
            CellSummary(id: "small-high", size: "small", rate: "high", model: "course-small", parameters: 3_352_704, learningRate: 3e-3,
                        steps: 96, tokensSeen: 243_000, finalTrainLoss: 6.142, finalValidationLoss: 6.472, finalTrainResponseLoss: 6.1),
            CellSummary(id: "large-low", size: "large", rate: "low", model: "course-large", parameters: 7_625_984, learningRate: 4.2e-4,
                        steps: 96, tokensSeen: 243_000, finalTrainLoss: 6.491, finalValidationLoss: nil, finalTrainResponseLoss: nil),
        ])
        XCTAssertEqual(try roundTrip(grid, "grid.json"), grid)
    }

    func testJSONLinesRecordsRoundTrip() throws {
        let examples = [TrainingExample(record: 3, inputIDs: [5, 6, 7], labels: [-100, 6, 7], promptTokens: 1)]
        XCTAssertEqual(try roundTrip(JSONLines(examples), "train.jsonl").records, examples)
        let records = [InstructionRecord(instruction: "번역하세요.", input: "cat", output: "고양이")]
        XCTAssertEqual(try roundTrip(JSONLines(records), "repaired.jsonl").records, records)
        let summary = SummaryPrediction(id: "01", prediction: "요약", reference: "참조", promptTokens: 40, newTokens: 3,
                                        articleCharactersKept: 100, stop: "end_of_text", scores: [("syllable", 0.5, 0.25), ("eojeol", 0.2, 0.1)])
        let back = try roundTrip(JSONLines([summary]), "summaries.jsonl").records[0]
        XCTAssertEqual(back.json, summary.json)
        XCTAssertEqual(back.score("eojeol")?.rougeL, 0.1)
        // A log-likelihood that could not be computed is written as null and read back as NaN.
        let nsmc = NSMCPrediction(id: "9", document: "재밌다", label: "긍정", demonstrationID: "1", answer: " 긍정", parsed: nil,
                                  logpPositive: -1.5, logpNegative: .nan, likelihoodChoice: "긍정")
        let nsmcBack = try roundTrip(JSONLines([nsmc]), "nsmc.jsonl").records[0]
        XCTAssertNil(nsmcBack.parsed)
        XCTAssertTrue(nsmcBack.logpNegative.isNaN)
        XCTAssertEqual(nsmcBack.logpPositive, -1.5)
    }

    func testACSVWithARenamedColumnFailsLoudly() throws {
        let steps = [StepRecord(step: 1, epoch: 1, learningRate: 0, loss: 8.3, gradNorm: 2.5, tokens: 900)]
        XCTAssertEqual(try roundTrip(CSVTable(steps), "metrics.csv").rows, steps)
        let path = directory + "/renamed.csv"
        try FileIO.writeAtomically(path, text: "step,epoch,lr,loss,grad_norm,tokens\n1,1,0.0,8.3,2.5,900\n")
        XCTAssertThrowsError(try CSVTable<StepRecord>.read(from: path)) {
            XCTAssertTrue("\($0)".contains("renamed.csv:1") && "\($0)".contains("expected \"step,epoch,learning_rate,loss,grad_norm,tokens\""), "\($0)")
        }
        try FileIO.writeAtomically(path, text: "step,loss,train_response_loss\n4,5.3\n")
        XCTAssertThrowsError(try CSVTable<ValidationRecord>.read(from: path)) { XCTAssertTrue("\($0)".contains("renamed.csv:2"), "\($0)") }
        try FileIO.writeAtomically(path, text: "step,loss,train_response_loss\n4,five,5.1\n")
        XCTAssertThrowsError(try CSVTable<ValidationRecord>.read(from: path)) { XCTAssertTrue("\($0)".contains("loss \"five\""), "\($0)") }
    }

    func testEveryArtifactIsWrittenByTheChapterThatOwnsIt() {
        // The data flow runs forward: a chapter reads only what an earlier chapter wrote.
        XCTAssertEqual(Artifacts.repairedRecords.chapter, .dataRepair)
        XCTAssertEqual([Artifacts.tokenizer.chapter, Artifacts.trainingExamples.chapter, Artifacts.promptingStats.chapter], [.prompting, .prompting, .prompting])
        XCTAssertEqual(Artifacts.model("small-high").files, ["cells/small-high/model/config.json", "cells/small-high/model/model.safetensors",
                                                              "cells/small-high/model/tokenizer.json"])
        XCTAssertEqual(Artifacts.summaries("x").chapter, .evaluation)
    }
}
