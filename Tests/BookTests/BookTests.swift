import ArgumentParser
import XCTest
import Tensor
import Plumbing
import Repro
@testable import Book

final class TableAndFormatTests: XCTestCase {
    func testMarkdownCSVAndPlainText() {
        var t = Table(title: "T", columns: ["model", "count"])
        t.add(["a|b", "1,234"]); t.add(["한국어", "5"])
        XCTAssertEqual(t.markdown, "**T**\n\n| model | count |\n| --- | ---: |\n| a\\|b | 1,234 |\n| 한국어 | 5 |\n")
        XCTAssertEqual(t.csv, "model,count\na|b,\"1,234\"\n한국어,5\n")
        // Hangul counts two cells wide, numbers are right-aligned.
        XCTAssertEqual(t.plainText, "T\nmodel   count\n------  -----\na|b     1,234\n한국어      5\n")
    }

    func testFormats() {
        XCTAssertEqual(Format.count(12_893_603_840), "12,893,603,840")
        XCTAssertEqual(Format.count(-1000), "-1,000")
        XCTAssertEqual(Format.fixed(0.125, 2), "0.13")
        XCTAssertEqual(Format.fixed(-0.001, 2), "0.00")
        XCTAssertEqual(Format.fixed(9.996, 2), "10.00")
        XCTAssertEqual(Format.percent(0.381), "38.1%")
        XCTAssertEqual(Format.scientific(2.303e18), "2.30e18")
        XCTAssertEqual(Format.bytes(1.5 * 1024 * 1024 * 1024), "1.50 GiB")
    }
}

/// Two chapters of a book of our own, to drive ChapterRun as the real ones do.
struct FirstCommand: ChapterCommand {
    static let chapter = Chapter.dataRepair
    static let runControl: Set = ["resume"]
    @OptionGroup var common: CommonOptions
    @Option var knob = 1
    @Option(name: .customLong("learning-rates")) var learningRates: String?
    @Flag(name: .customLong("no-eos")) var noEOS = false
    @Flag var resume = false
}

struct SecondCommand: ChapterCommand {
    static let chapter = Chapter.prompting
    @OptionGroup var common: CommonOptions
}

/// A text file as an artifact.
struct Text: WritableArtifact, Equatable {
    var text: String
    static func read(from path: String) throws -> Text { Text(text: try FileIO.readUTF8(path)) }
    var bytes: [UInt8] { Array(text.utf8) }
}

let firstData = Artifact<Text>(.dataRepair, "data.txt")

final class ChapterRunTests: XCTestCase {
    var out = ""
    override func setUp() { out = NSTemporaryDirectory() + "artifacts-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: out) }

    func common() -> [String] { ["--scale", "smoke", "--out", out, "--data-dir", "/tmp"] }
    func first(_ extra: [String] = []) throws -> ChapterRun {
        let run = try ChapterRun(try FirstCommand.parse(common() + extra))
        run.notebook.echo = false
        return run
    }
    func second() throws -> ChapterRun {
        let run = try ChapterRun(try SecondCommand.parse(common()))
        run.notebook.echo = false
        return run
    }

    func testManifestRecordsOutputsAndNextChapterChecksThem() throws {
        let one = try first()
        try one.write(firstData, Text(text: "hello"))
        // Until finish() writes the manifest, the next chapter refuses the artifact and says what to run.
        let two = try second()
        XCTAssertThrowsError(try two.read(firstData)) {
            XCTAssertTrue("\($0)".contains("swift run -c release ch01-data-repair --scale smoke"), "\($0)")
        }
        try one.finish()
        let manifest = try JSON.parse(try FileIO.read(out + "/01-data-repair/manifest.json"))
        XCTAssertEqual(manifest["outputs"]?["data.txt"]?.string, SHA256.hex(Array("hello".utf8)))
        XCTAssertEqual(manifest["options"]?["scale"]?.string, "smoke")
        XCTAssertEqual(try two.read(firstData), Text(text: "hello"))
        XCTAssertTrue(FileIO.exists(out + "/01-data-repair/notebook.md"))
        // A changed file is caught by its hash.
        try FileIO.writeAtomically(out + "/01-data-repair/data.txt", text: "tampered")
        XCTAssertThrowsError(try two.read(firstData)) { XCTAssertTrue("\($0)".contains("changed")) }
        // Running chapter 1 again removes its manifest before the first new file: a half-done rerun never looks finished.
        let again = try first()
        XCTAssertTrue(FileIO.exists(out + "/01-data-repair/manifest.json"))
        try again.write("other.txt", text: "x")
        XCTAssertFalse(FileIO.exists(out + "/01-data-repair/manifest.json"))
    }

    func testAFinishedChapterWithTheSameInputsIsReused() throws {
        let data = out + "/input.txt"
        try FileIO.writeAtomically(data, text: "v1")
        func start(_ extra: [String] = []) throws -> ChapterRun {
            let run = try first(extra)
            try run.input(data)
            return run
        }
        let one = try start()
        XCTAssertFalse(try one.reuseIfFinished())          // nothing to reuse yet
        try one.write("out.txt", text: "result")
        try one.finish()
        XCTAssertTrue(try start().reuseIfFinished())         // same program, options, inputs; outputs intact
        XCTAssertTrue(try start(["--resume"]).reuseIfFinished())   // a run-control option changes nothing computed
        XCTAssertTrue(FileIO.exists(out + "/01-data-repair/manifest.json"))
        XCTAssertFalse(try start(["--knob", "2"]).reuseIfFinished())   // a changed option → run again, old manifest gone
        XCTAssertFalse(FileIO.exists(out + "/01-data-repair/manifest.json"))
        let two = try start()
        try two.write("out.txt", text: "result")
        try two.finish()
        try FileIO.writeAtomically(data, text: "v2")          // a changed input → run again
        XCTAssertFalse(try start().reuseIfFinished())
        XCTAssertFalse(FileIO.exists(out + "/01-data-repair/manifest.json"))
    }

    func testEveryOptionIsRecordedButRunControl() throws {
        let recorded = try FirstCommand.parse(common() + ["--learning-rates", "1,2", "--no-eos"]).recordedOptions
        XCTAssertEqual(recorded.keys, ["scale", "data_dir", "out", "seed", "knob", "learning_rates", "no_eos"])
        XCTAssertEqual(recorded["learning_rates"], "1,2")
        XCTAssertEqual(recorded["no_eos"], true)
        XCTAssertEqual(recorded["knob"], 1)
        XCTAssertEqual(try FirstCommand.parse(common()).recordedOptions["learning_rates"], .null)
    }

    func testCommonOptionsDefaults() throws {
        let o = try CommonOptions.parse([])
        XCTAssertEqual(o.scale, .course)
        XCTAssertEqual(o.outputDirectory, "artifacts")
        XCTAssertThrowsError(try CommonOptions.parse(["--scale", "huge"]))
    }

    func testSnakeCase() {
        XCTAssertEqual(RecordedOptions.snakeCase("learningRates"), "learning_rates")
        XCTAssertEqual(RecordedOptions.snakeCase("noEOS"), "no_eos")
        XCTAssertEqual(RecordedOptions.snakeCase("initFrom"), "init_from")
        XCTAssertEqual(RecordedOptions.snakeCase("seed"), "seed")
    }
}

final class FigureTests: XCTestCase {
    func testRendersANonEmptyPNGWithItsScriptAndData() throws {
        guard Gnuplot.executable != nil else { throw XCTSkip("gnuplot is not installed") }
        let dir = NSTemporaryDirectory() + "figure-\(UUID().uuidString)"
        try FileIO.makeDirectories(dir)
        let figure = Figure(name: "loss", title: "손실 곡선", xLabel: "step", yLabel: "loss",
                            series: [Figure.Series("학습", x: [0, 1, 2], y: [3, 2, 1.5])])
        XCTAssertEqual(try figure.render(in: dir), "loss.png")
        let png = try FileIO.read(dir + "/loss.png")
        XCTAssertGreaterThan(png.count, 1000)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])    // the PNG signature
        XCTAssertTrue(FileIO.exists(dir + "/loss.svg"))
        XCTAssertTrue(try String(decoding: FileIO.read(dir + "/loss.dat"), as: UTF8.self).contains("2.0 1.5"))
        XCTAssertTrue(try String(decoding: FileIO.read(dir + "/loss.gp"), as: UTF8.self).contains("NanumGothic"))
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// gnuplot exits 0 after writing an empty or cut-off file (a full disk): what it wrote is checked.
    func testAnEmptyOrCutOffFigureIsRefused() throws {
        guard Gnuplot.executable != nil else { throw XCTSkip("gnuplot is not installed") }
        let dir = NSTemporaryDirectory() + "figure-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileIO.makeDirectories(dir)
        let figure = Figure(name: "f", title: "t", xLabel: "x", yLabel: "y", series: [Figure.Series("s", x: [0, 1], y: [1, 2])])
        try figure.render(in: dir)
        let png = try FileIO.read(dir + "/f.png"), svg = try FileIO.read(dir + "/f.svg")
        try Figure.checkRendered(dir + "/f.png")
        try Figure.checkRendered(dir + "/f.svg")
        for (name, bytes, says) in [("empty.png", [], "not a PNG"), ("cut.png", Array(png.prefix(png.count / 2)), "cut off"),
                                    ("empty.svg", [], "not an SVG"), ("cut.svg", Array(svg.prefix(svg.count / 2)), "cut off before </svg>"),
                                    ("missing.png", nil, "wrote no figure")] as [(String, [UInt8]?, String)] {
            if let bytes { try FileIO.writeAtomically(dir + "/" + name, bytes: bytes) }
            XCTAssertThrowsError(try Figure.checkRendered(dir + "/" + name), name) {
                XCTAssertTrue("\($0)".contains(dir + "/" + name) && "\($0)".contains(says), "\($0)")
            }
        }
    }

    func testBarsAndHistogramData() {
        let bars = Figure(name: "b", title: "t", xLabel: "", yLabel: "", kind: .bars,
                          series: [Figure.Series("acc", x: [], y: [0.5, 0.6], yLow: [0.4, 0.5], yHigh: [0.6, 0.7])],
                          categories: ["small", "large"])
        XCTAssertTrue(bars.data.contains("\"small\" 0.5 0.4 0.6\n\"large\" 0.6 0.5 0.7\n"), bars.data)
        XCTAssertTrue(bars.script.contains("using 2:3:4:xtic(1)"))
        let hist = Figure(name: "h", title: "t", xLabel: "", yLabel: "", kind: .histogram(binWidth: 10),
                          series: [Figure.Series("len", values: [1, 5, 12, 25])])
        XCTAssertTrue(hist.data.contains("0.0 2\n10.0 1\n20.0 1\n30.0 0\n"), hist.data)
    }
}

