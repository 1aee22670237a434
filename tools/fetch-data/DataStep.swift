// The data step: look at what the data folder holds, fetch what is missing, and say in one line what to do when
// something stands in the way. The reproduce command runs it before any chapter.
import Foundation
import Plumbing

/// Why the step stopped, in one line that says what to do. Whatever was already placed stays placed.
struct StepError: Error, CustomStringConvertible {
    var description: String
}

struct DataStep {
    var dataDirectory: String
    var sets: [DataSet]
    var mirror: Mirror?
    var environment: [String: String] = ProcessInfo.processInfo.environment
    var date = ISO8601DateFormatter().string(from: Date())
    var say: (String) -> Void

    /// Returns the folders it fetched.
    @discardableResult
    func run() throws -> [String] {
        let placement = Placement(dataDirectory: dataDirectory, mirror: mirror, date: date)
        if FileIO.exists(placement.incoming) {
            try FileManager.default.removeItem(atPath: placement.incoming)
            say("removed \(placement.incoming): the leftovers of a fetch that was interrupted")
        }
        let surveys = try sets.map { try Surveying.survey($0, in: dataDirectory) }
        for line in surveys.flatMap(\.lines) { say(line) }
        let changed = surveys.flatMap(\.errors)
        if !changed.isEmpty {
            let folders = surveys.filter { !$0.errors.isEmpty }.map { "\(dataDirectory)/\($0.set.folder)" }
            throw StepError(description: changed.joined(separator: "; ") + ". Delete \(folders.joined(separator: " and ")) and run again to fetch it anew.")
        }
        let warnings = surveys.flatMap(\.lines).filter { $0.contains("WARNING:") }.count
        let warned = warnings == 0 ? "" : " (\(warnings) warning\(warnings == 1 ? "" : "s") above: copies that are not the published files, used as they are)"
        let absent = surveys.filter { $0.state == .absent }.map(\.set)
        if absent.isEmpty {
            say("data: all \(sets.count) data sets are in \(dataDirectory)\(warned); nothing to fetch (no network needed)")
            return []
        }
        say(announcement(absent, placement))
        var failures: [String] = []
        var fetched: [String] = []
        for (index, set) in absent.enumerated() {
            say("fetching \(set.folder)/: \(set.title); \(describe(set)), from \(origins(set, placement))")
            do {
                let placed = try placement.fetch(set)
                fetched.append(set.folder)
                for line in report(set, placed) { say(line) }
            } catch .unreachable(let message) {
                throw StepError(description: unreachable(message, missing: Array(absent[index...]), placement))
            } catch .failed(let message) {
                say("FAILED: " + message)
                failures.append(message)
            }
        }
        if !failures.isEmpty {
            let fix = mirror == nil
                ? "If the source no longer serves the published files, fetch them from a mirror (DATA_MIRROR) or put your own copy there (see REPRODUCE.md, \"The data step\")."
                : "Fix the mirror (it must serve each file at <mirror>/<folder>/<path>, as listed in tools/fetch-data/sources.txt), or unset DATA_MIRROR to fetch from the canonical repositories."
            throw StepError(description: "\(failures.count) data set\(failures.count == 1 ? "" : "s") could not be placed (\(failures.joined(separator: " | "))). The others are in place. \(fix)")
        }
        say("data: all \(sets.count) data sets are in \(dataDirectory)\(warned) (fetched now: \(fetched.map { $0 + "/" }.joined(separator: ", ")))")
        return fetched
    }

    /// The one line before any download: how much, from where, and the way out for someone who has the files.
    func announcement(_ absent: [DataSet], _ placement: Placement) -> String {
        let known = absent.compactMap(\.publishedBytes).reduce(0, +)
        let unpinned = absent.filter { $0.publishedBytes == nil }.map { $0.folder + "/" }
        let size = megabytes(known) + (unpinned.isEmpty ? "" : " and \(unpinned.joined(separator: ", ")), whose size is not pinned")
        return "fetching \(absent.count) data set\(absent.count == 1 ? "" : "s") (\(size)) into \(dataDirectory) from "
            + "\(placement.sourceDescription). Have them already elsewhere? Stop now (Ctrl-C) and run with "
            + "DATA_MIRROR=<that data folder> (copies and checks them) or --data-dir <that folder>."
    }

    func describe(_ set: DataSet) -> String {
        let count = "\(set.files.count) file\(set.files.count == 1 ? "" : "s")"
        return set.publishedBytes.map { "\(count), \(megabytes($0))" } ?? "\(count), size not pinned"
    }

    func origins(_ set: DataSet, _ placement: Placement) -> String {
        if let mirror = placement.mirror { return "the mirror \(mirror.base)" }
        var repositories: [String] = []
        for file in set.files {
            let name: String
            switch file.origin {
            case .github(let repository, let commit, _): name = "github.com/\(repository) at commit \(commit.prefix(12))"
            case .url(let url): name = url
            case .mirrorOnly: name = "a mirror only"
            }
            if !repositories.contains(name) { repositories.append(name) }
        }
        return repositories.joined(separator: ", ")
    }

    /// What was placed, its license and attribution, and, loudly, a first-seen hash or a stand-in.
    func report(_ set: DataSet, _ placed: Placed) -> [String] {
        let bytes = placed.files.reduce(0) { $0 + $1.measured.bytes }
        var lines = ["placed \(dataDirectory)/\(set.folder)/: \(placed.files.count) file\(placed.files.count == 1 ? "" : "s"), \(Format.count(bytes)) bytes, every one checked"
                     + (placed.files.count == 1 ? " (\(Verification.summary(placed.files[0].file, placed.files[0].measured)))" : "")]
        lines.append("  license: \(set.license)")
        lines.append("  attribution: \(set.attribution)")
        lines.append("  (both written beside the files: \(set.folder)/\(Record.sourceName); hashes in \(set.folder)/\(Record.sumsName))")
        if placed.standIn {
            let file = placed.files[0]
            lines.append("!!! STAND-IN: the published \(set.files.map(\.path).joined(separator: ", ")) was not found (\(placed.notFound.joined(separator: "; "))).")
            lines.append("!!! Placed instead \(set.folder)/\(file.file.path), a known partial copy (\(Verification.summary(file.file, file.measured))). The chapters run on it and say so.")
        }
        for (file, measured) in placed.files where file.sha256 == .firstSeen {
            lines.append("!!! \(set.folder)/\(file.path) has no pinned sha256 in tools/fetch-data/sources.txt. FIRST SEEN:")
            lines.append("!!!   sha256 \(measured.sha256)  (\(Verification.summary(file, measured)))")
            lines.append("!!! Recorded in \(set.folder)/\(Record.sumsName): later runs refuse a copy that differs from it.")
            lines.append("!!! To pin it for everyone, compare it with a copy you trust and write it in place of first-seen in sources.txt (REPRODUCE.md, \"The data step\").")
        }
        return lines
    }

    /// The one line for "nothing gets through": no network, a proxy that does not answer, a mirror that is down.
    func unreachable(_ message: String, missing: [DataSet], _ placement: Placement) -> String {
        let names = missing.map { set in
            set.files.count == 1 ? "\(set.folder)/\(set.files[0].path)" : "\(set.folder)/ (\(set.files.count) files)"
        }.joined(separator: ", ")
        let what = "Missing in \(dataDirectory): \(names)."
        let elsewhere = "or run with --data-dir <a folder that holds them>."
        if let mirror = placement.mirror {
            return "cannot reach the mirror \(mirror.base) (\(message)). \(what) Check DATA_MIRROR (or --mirror), unset it to fetch from the canonical repositories, \(elsewhere)"
        }
        let viaMirror = "fetch from a mirror (DATA_MIRROR=<its URL, or a folder where you have these files>)"
        if let proxy = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"].lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) {
            return "cannot fetch through the proxy \(proxy) (\(message)). \(what) Check https_proxy, or \(viaMirror), \(elsewhere)"
        }
        return "no network (\(message)). \(what) Connect and run again, or \(viaMirror), \(elsewhere)"
    }

    func megabytes(_ bytes: Int) -> String {
        if bytes >= 1_000_000 { return Format.fixed(Double(bytes) / 1e6, 1) + " MB" }
        return bytes >= 1_000 ? Format.fixed(Double(bytes) / 1e3, 1) + " kB" : "\(bytes) bytes"
    }
}
