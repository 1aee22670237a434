// What the data folder already holds of each data set, looked at before anything is fetched.
//
// A data set's folder is in one of three states, and each is treated differently:
//   absent   the folder is missing or holds no file: the chapters would find nothing, so the step fetches it.
//   placed   the folder has a SHA256SUMS: this step placed it. Every file must still have its recorded hash; one that
//            changed is an error (a download went bad on disk, or someone edited the data by mistake).
//   yours    files are there that this step did not place (a copy of your own, the team's shared folder, the test
//            fixtures). They are checked against the list and used as they are: a file that differs from the
//            published one is a warning naming it with both hashes, never a refusal, and nothing there is touched.
import Foundation
import Plumbing

struct Survey {
    enum State: Equatable { case absent, placed, yours }

    var set: DataSet
    var state: State
    var lines: [String] = []     // a headline, then notes and warnings, printed as they are
    var errors: [String] = []    // files this step placed that changed since: the step stops
}

enum Surveying {
    static func survey(_ set: DataSet, in dataDirectory: String) throws -> Survey {
        let folder = dataDirectory + "/" + set.folder
        let present = files(under: folder)
        if present.isEmpty { return Survey(set: set, state: .absent) }
        if present.contains(Record.sumsName) { return try surveyPlaced(set, folder: folder) }
        return try surveyYours(set, folder: folder, present: present.filter { !Record.names.contains($0) })
    }

    /// The files below `folder`, as paths relative to it, sorted; empty when there is no such folder. Symbolic links
    /// are followed, as the chapters follow them (a user may link a folder of their own into the data folder); the
    /// depth is bounded so that a link to a parent cannot loop.
    static func files(under folder: String, depth: Int = 16) -> [String] {
        guard depth > 0, FileIO.isDirectory(folder),
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [String] = []
        for name in names {
            let path = folder + "/" + name
            if FileIO.isDirectory(path) {
                found += files(under: path, depth: depth - 1).map { name + "/" + $0 }
            } else {
                found.append(name)
            }
        }
        return found.sorted()
    }

    static func surveyPlaced(_ set: DataSet, folder: String) throws -> Survey {
        var survey = Survey(set: set, state: .placed)
        let sums = try Record.readSums(folder + "/" + Record.sumsName)
        var unpinned: [String] = []
        for (path, recorded) in sums {
            let name = set.folder + "/" + path
            guard FileIO.exists(folder + "/" + path) else {
                survey.errors.append("\(name) was placed by fetch-data and is gone"); continue
            }
            let listed = set.listed.first { $0.path == path }
            let measured = try Verification.measure(folder + "/" + path, counting: nil)
            if measured.sha256 != recorded {
                survey.errors.append("\(name) changed since it was placed: sha256 expected \(recorded) (recorded in SHA256SUMS), actual \(measured.sha256)")
            } else if let pinned = listed?.sha256.pinned, pinned != recorded {
                survey.errors.append("\(name) was placed before its hash was pinned, and differs: sources.txt pins \(pinned), this copy is \(recorded)")
            } else if listed?.sha256 == .firstSeen {
                unpinned.append("\(path) is not pinned (first seen \(recorded))")
            }
        }
        var headline = "\(set.folder)/: placed by fetch-data; \(sums.count) file\(sums.count == 1 ? "" : "s") verified against its SHA256SUMS"
        if !unpinned.isEmpty { headline += "; " + unpinned.joined(separator: "; ") }
        survey.lines.append(headline)
        return survey
    }

    static func surveyYours(_ set: DataSet, folder: String, present: [String]) throws -> Survey {
        var survey = Survey(set: set, state: .yours)
        var notes: [String] = [], warnings: [String] = []
        var verified: [String] = []
        for listed in set.listed where present.contains(listed.path) {
            let measured = try Verification.measure(folder + "/" + listed.path, counting: listed.records)
            let problems = Verification.problems(listed, measured)
            if !problems.isEmpty {
                warnings.append("WARNING: \(set.folder)/\(listed.path) is not the published file: \(problems.joined(separator: "; ")); used as is")
            } else if listed.sha256 == .firstSeen {
                notes.append("\(listed.path): \(Verification.summary(listed, measured)), sha256 \(measured.sha256) (no hash is pinned for it: compare with a copy you trust)")
                verified.append(listed.path)
            } else {
                verified.append(listed.path)
            }
        }
        let missing = set.files.filter { !present.contains($0.path) }.map(\.path)
        let standIns = set.standIns.filter { verified.contains($0.path) }.map(\.path)
        if missing.count == set.files.count && !standIns.isEmpty {
            notes.append("the published \(names(missing)) is not here; known partial copies, verified: \(names(standIns))")
        } else if missing.count == set.files.count && set.files.count == 1 {
            warnings.append("WARNING: the published \(set.folder)/\(missing[0]) is not here; the chapters use what is")
        } else if !missing.isEmpty {
            warnings.append("WARNING: \(set.folder)/: \(missing.count) of the \(set.files.count) published files are not here (\(names(missing))); the chapters use what is")
        }
        let unlisted = present.filter { path in !set.listed.contains { $0.path == path } }
        if !unlisted.isEmpty { notes.append("not in the list, used as is: \(names(unlisted))") }
        let state = warnings.isEmpty ? "\(verified.count) listed file\(verified.count == 1 ? "" : "s") verified" : "checked"
        survey.lines = ["\(set.folder)/: your copy (not placed by fetch-data), \(state)"] + (notes + warnings).map { "  " + $0 }
        return survey
    }

    /// "a, b, c and 45 more": a list short enough for one line.
    static func names(_ paths: [String], upTo limit: Int = 4) -> String {
        if paths.count <= limit { return paths.joined(separator: ", ") }
        return paths.prefix(limit).joined(separator: ", ") + " and \(paths.count - limit) more"
    }
}
