import Foundation
import XCTest
import Repro
import Plumbing
import Book

/// A second pretraining budget beside the first: chapter 00 with --compare-with reads the other run's bases and
/// held-out curves through its manifest and draws both on the held-out figure.
final class SecondBudgetTests: XCTestCase {
    func testASecondBudgetIsDrawnBesideTheFirst() throws {
        let runs = try SmokeRuns.shared()
        let out = runs.root + "/second-budget"
        let first = try Bases.read(from: runs.first + "/" + Chapter.pretraining.folder + "/" + Artifacts.bases.path)
        let small = try XCTUnwrap(first.models.first)
        let tokens = 2 * small.tokensSeen
        try runs.chapters.runOrFail(.pretraining, Chapters.common(out: out) + ["--models", "small", "--tokens", String(tokens), "--compare-with", runs.first],
                                    log: runs.root + "/second-budget.log", environment: SmokeRuns.environment)
        let folder = out + "/" + Chapter.pretraining.folder + "/"
        let second = try Bases.read(from: folder + Artifacts.bases.path)
        XCTAssertEqual(second.models.map(\.model), [small.model])
        XCTAssertGreaterThanOrEqual(second.models[0].tokensSeen, tokens)
        let notebook = String(decoding: try FileIO.read(folder + "notebook.md"), as: UTF8.self)
        XCTAssertTrue(notebook.contains("What more tokens bought"), notebook)
        // Both budgets' rows, each with its own held-out loss as bases.json has it.
        for base in [small, second.models[0]] {
            XCTAssertTrue(notebook.contains("| \(Format.count(base.tokensSeen)) | \(Format.count(base.steps)) | \(Format.fixed(base.heldOut.perToken, 3)) | \(Format.fixed(base.heldOut.perCharacter, 3)) |"), notebook)
        }
        // The figure's data: this run's curve and the first run's, each titled with its budget.
        let data = String(decoding: try FileIO.read(folder + "held-out-loss.dat"), as: UTF8.self)
        XCTAssertTrue(data.contains("\(small.model), \(Format.count(small.tokensSeen)) tokens"), data)
        XCTAssertTrue(data.contains("\(small.model), \(Format.count(second.models[0].tokensSeen)) tokens"), data)
        // The first run's curve was read through its manifest: an input of this run.
        let manifest = try JSON.parse(try FileIO.read(folder + "manifest.json"))
        XCTAssertNotNil(manifest["inputs"]?[runs.first + "/" + Chapter.pretraining.folder + "/runs/\(small.model)/validation.csv"]?.string)
    }
}
