import XCTest
import Tensor
@testable import Repro

final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        // FIPS 180-4 examples and the empty string.
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testIncrementalEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var h = SHA256()
        h.update(data[0..<1]); h.update(data[1..<100]); h.update(data[100..<1000])
        XCTAssertEqual(h.finalize().map { String(format: "%02x", $0) }.joined(), SHA256.hex(data))
    }
}

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

final class RecordsTests: XCTestCase {
    func temporary(_ text: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "records-\(UUID().uuidString).jsonl"
        try FileIO.writeAtomically(path, bytes: text)
        return path
    }

    func testJSONLinesNameTheLineOfABadRecord() throws {
        let path = try temporary(Array("{\"a\":1}\n\n{\"a\":2}\n{\"a\":\n".utf8))
        XCTAssertThrowsError(try Records.readJSONLines(path)) { error in
            let e = error as! RecordError
            XCTAssertEqual(e.line, 4); XCTAssertEqual(e.record, 2)
            XCTAssertTrue(e.description.hasPrefix(path + ":4: record 2: "), e.description)
        }
        let good = try temporary(Array("{\"a\":1}\r\n{\"a\":2}".utf8))
        XCTAssertEqual(try Records.readJSONLines(good).count, 2)
    }

    func testJSONArrayErrors() throws {
        XCTAssertThrowsError(try Records.readJSONArray(try temporary([]))) { XCTAssertTrue("\($0)".contains("file is empty")) }
        XCTAssertThrowsError(try Records.readJSONArray(try temporary(Array("{}".utf8)))) { XCTAssertTrue("\($0)".contains("not a JSON array")) }
        XCTAssertThrowsError(try Records.readJSONArray(try temporary(Array("[{\"x\":1},{\"x\":".utf8)))) { error in
            XCTAssertEqual((error as! RecordError).record, 1)
        }
        XCTAssertThrowsError(try Records.readJSONArray("/nonexistent/file.json")) { XCTAssertTrue("\($0)".contains("/nonexistent/file.json")) }
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

final class NeoXConfigTests: XCTestCase {
    func testHuggingFaceJSONRoundTrip() throws {
        for c in NeoXConfig.polyglotKo + [Preset.course.models.small, Preset.smoke.models.large] {
            var back = try NeoXConfig(huggingFace: c.huggingFaceJSON, file: "config.json")
            back.name = c.name
            XCTAssertEqual(back, c)
        }
    }

    func testUnsupportedValuesAreErrorsNotDefaults() {
        func reject(_ edit: (inout JSONObject) -> Void, _ fragment: String, line: UInt = #line) {
            var o = NeoXConfig.polyglotKo1_3B.huggingFaceJSON.object!
            edit(&o)
            XCTAssertThrowsError(try NeoXConfig(huggingFace: .object(o), file: "x/config.json"), line: line) {
                XCTAssertTrue("\($0)".hasPrefix("x/config.json: ") && "\($0)".contains(fragment), "\($0)", line: line)
            }
        }
        reject({ $0["hidden_act"] = "relu" }, "hidden_act")
        reject({ $0["tie_word_embeddings"] = true }, "tie_word_embeddings")
        reject({ $0["model_type"] = "llama" }, "model_type")
        reject({ $0["hidden_size"] = nil }, "missing \"hidden_size\"")
        reject({ $0["num_attention_heads"] = 7 }, "not a multiple")
        reject({ $0["vocab_size"] = 1.5 }, "positive integer")
    }

    func testRotaryDimsFollowTransformers() {
        XCTAssertEqual(NeoXConfig.polyglotKo5_8B.rotaryDims, 64)     // 256 × 0.25
        XCTAssertEqual(NeoXConfig.polyglotKo12_8B.rotaryDims, 64)    // 128 × 0.5
        XCTAssertEqual(Preset.course.models.small.rotaryDims, 24)    // 96 × 0.25
    }
}
