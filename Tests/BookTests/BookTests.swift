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

final class ChapterRunTests: XCTestCase {
    func options(_ out: String) throws -> CommonOptions {
        try CommonOptions.parse(["--scale", "smoke", "--out", out, "--data-dir", "/tmp"])
    }

    func testManifestRecordsOutputsAndNextChapterChecksThem() throws {
        let out = NSTemporaryDirectory() + "artifacts-\(UUID().uuidString)"
        let first = try ChapterRun(1, "first", title: "First", options: try options(out))
        first.notebook.echo = false
        try first.write("data.txt", text: "hello")
        // Until finish() writes the manifest, the next chapter refuses the artifact and says what to run.
        let second = try ChapterRun(2, "second", title: "Second", options: try options(out))
        second.notebook.echo = false
        XCTAssertThrowsError(try second.artifact(ofChapter: 1, "first", "data.txt")) {
            XCTAssertTrue("\($0)".contains("swift run -c release ch01-first --scale smoke"), "\($0)")
        }
        try first.finish()
        let manifest = try JSON.parse(try FileIO.read(out + "/01-first/manifest.json"))
        XCTAssertEqual(manifest["outputs"]?["data.txt"]?.string, SHA256.hex(Array("hello".utf8)))
        XCTAssertEqual(manifest["options"]?["scale"]?.string, "smoke")
        XCTAssertEqual(try second.artifact(ofChapter: 1, "first", "data.txt"), out + "/01-first/data.txt")
        XCTAssertTrue(FileIO.exists(out + "/01-first/notebook.md"))
        // A changed file is caught by its hash.
        try FileIO.writeAtomically(out + "/01-first/data.txt", text: "tampered")
        XCTAssertThrowsError(try second.artifact(ofChapter: 1, "first", "data.txt")) { XCTAssertTrue("\($0)".contains("changed")) }
        // Running chapter 1 again removes its manifest before the first new file: a half-done rerun never looks finished.
        let again = try ChapterRun(1, "first", title: "First", options: try options(out))
        again.notebook.echo = false
        XCTAssertTrue(FileIO.exists(out + "/01-first/manifest.json"))
        try again.write("other.txt", text: "x")
        XCTAssertFalse(FileIO.exists(out + "/01-first/manifest.json"))
        try? FileManager.default.removeItem(atPath: out)
    }

    func testAFinishedChapterWithTheSameInputsIsReused() throws {
        let out = NSTemporaryDirectory() + "artifacts-\(UUID().uuidString)"
        let data = out + "/input.txt"
        try FileIO.writeAtomically(data, text: "v1")
        func start() throws -> ChapterRun {
            let run = try ChapterRun(1, "first", title: "First", options: try options(out))
            run.notebook.echo = false
            try run.input(data)
            return run
        }
        let first = try start()
        XCTAssertFalse(try first.reuseIfFinished())          // nothing to reuse yet
        try first.write("out.txt", text: "result")
        try first.finish()
        XCTAssertTrue(try start().reuseIfFinished())         // same program, options, inputs; outputs intact
        XCTAssertTrue(FileIO.exists(out + "/01-first/manifest.json"))
        try FileIO.writeAtomically(data, text: "v2")          // a changed input → run again, old manifest gone
        XCTAssertFalse(try start().reuseIfFinished())
        XCTAssertFalse(FileIO.exists(out + "/01-first/manifest.json"))
        try? FileManager.default.removeItem(atPath: out)
    }

    func testCommonOptionsDefaults() throws {
        let o = try CommonOptions.parse([])
        XCTAssertEqual(o.scale, .course)
        XCTAssertEqual(o.outputDirectory, "artifacts")
        XCTAssertThrowsError(try CommonOptions.parse(["--scale", "huge"]))
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

