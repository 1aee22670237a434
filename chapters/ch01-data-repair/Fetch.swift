// `--fetch`: download the canonical KoAlpaca v1.0 file into the data directory.
//
// curl does the transfer (a subprocess: no HTTP code of our own). The download lands in a temporary file beside the
// target and is renamed over it only after it parses as a KoAlpaca array, so a failed or partial download never
// replaces a good file. The sha256 and the record count are printed: the expected hash is not known here (see
// `KoAlpacaFile.expectedSHA256`), so a user compares it with a copy they trust.
import Foundation
import Repro
import Tensor
import Plumbing

struct FetchReport {
    var path: String
    var sha256: String
    var records: Int
    var bytes: Int

    var lines: [String] {
        var out = ["fetched \(path): \(Format.count(bytes)) bytes, \(Format.count(records)) records", "sha256 \(sha256)"]
        out.append("no expected sha256 is recorded in this chapter: compare the hash above with a copy you trust")
        if records != Paper.koalpacaRecords {
            out.append("WARNING: KoAlpaca v1.0 has \(Format.count(Paper.koalpacaRecords)) records; this file has \(Format.count(records))")
        }
        return out
    }
}

enum Fetch {
    /// Where a fetched file goes: a folder of its own, which `KoAlpacaFile.choose` prefers to a partial copy.
    static func destination(dataDirectory: String) -> String {
        dataDirectory + "/koalpaca/v1.0/" + KoAlpacaFile.fileName
    }

    static func run(url: String = KoAlpacaFile.canonicalURL, dataDirectory: String) throws -> FetchReport {
        let target = destination(dataDirectory: dataDirectory)
        let folder = FileIO.dirname(of: target)
        let madeFolder = !FileIO.isDirectory(folder)
        try FileIO.makeDirectories(folder)
        let temporary = target + ".download"
        defer {
            if FileIO.exists(temporary) { unlink(temporary) }
            if madeFolder && !FileIO.exists(target) { rmdir(folder) }   // a failed fetch leaves no empty folder behind
        }
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "--fail", "--location", "--silent", "--show-error", "--output", temporary, url]
        let errors = Pipe()
        curl.standardError = errors
        do { try curl.run() } catch { throw DataError(description: "cannot start curl to download \(url): \(error)") }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        guard curl.terminationStatus == 0 else {
            throw DataError(description: "downloading \(url) failed (curl status \(curl.terminationStatus)): \(message)")
        }
        return try install(temporary, as: target)
    }

    /// Check a downloaded file (it must be a JSON array of records) and move it into place.
    static func install(_ downloaded: String, as target: String) throws -> FetchReport {
        let data = try Validation.load(path: downloaded)
        let bytes = try FileIO.read(downloaded)
        guard rename(downloaded, target) == 0 else {
            throw DataError(description: "cannot move \(downloaded) to \(target): \(String(cString: strerror(errno)))")
        }
        return FetchReport(path: target, sha256: SHA256.hex(bytes), records: data.totalRecords, bytes: bytes.count)
    }
}
