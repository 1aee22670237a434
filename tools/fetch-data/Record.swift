// What the step writes beside a data set it placed, inside the set's folder:
//   SHA256SUMS  the hash of every file as placed, in `sha256sum` format (`cd <folder> && sha256sum -c SHA256SUMS`).
//               Its presence says "placed by fetch-data"; later runs check the files against it, which is also where
//               a first-seen hash is remembered.
//   SOURCE.md   for people: what the data is, where it came from, its license and how to attribute it.
import Plumbing

enum Record {
    static let sumsName = "SHA256SUMS"
    static let sourceName = "SOURCE.md"
    static let names: Set<String> = [sumsName, sourceName]

    static func sumsText(_ files: [(path: String, sha256: String)]) -> String {
        files.map { "\($0.sha256)  \($0.path)\n" }.joined()
    }

    /// The (path, sha256) pairs of a SHA256SUMS file, in its order. A line that is not `<sha256>  <path>` is an error
    /// naming the line: a record that cannot be read cannot vouch for anything.
    static func readSums(_ path: String) throws -> [(path: String, sha256: String)] {
        let text = String(decoding: try FileIO.read(path), as: UTF8.self)
        var sums: [(path: String, sha256: String)] = []
        for (index, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            let hash = String(line.prefix(64))
            var name = line.dropFirst(64)
            guard SourceList.isSHA256(hash), name.hasPrefix("  ") || name.hasPrefix(" *") else {
                throw RecordError(file: path, line: index + 1, problem: "not a `<sha256>  <path>` line")
            }
            name = name.dropFirst(2)
            guard SourceList.isRelativePath(String(name)) else {
                throw RecordError(file: path, line: index + 1, problem: "\"\(name)\" is not a path inside the folder")
            }
            sums.append((String(name), hash))
        }
        return sums
    }

    /// SOURCE.md for a data set placed from `source` (a mirror's address or "the canonical repositories").
    static func sourceText(_ set: DataSet, placed: [(file: ListedFile, measured: Measured)], source: String,
                          standIn: Bool, date: String) -> String {
        var text = "# \(set.folder): \(set.title)\n\n"
        text += "Placed by `fetch-data` (tools/fetch-data) on \(date), from \(source), after checking every file "
        text += "against tools/fetch-data/sources.txt.\n\n"
        if standIn {
            text += "**A stand-in**: the published data was not found there, so a known partial copy was placed instead.\n\n"
        }
        text += "- License: \(set.license)\n- Attribution: \(set.attribution)\n\n"
        text += "| file | bytes | sha256 | published at |\n| --- | --- | --- | --- |\n"
        for (file, measured) in placed {
            let hash = file.sha256 == .firstSeen ? "`\(measured.sha256)` (first seen: not pinned)" : "`\(measured.sha256)`"
            text += "| `\(file.path)` | \(Format.count(measured.bytes)) | \(hash) | \(file.origin.description) |\n"
        }
        text += "\nThe same hashes are in SHA256SUMS: `sha256sum -c SHA256SUMS` in this folder checks them.\n"
        return text
    }
}

extension Origin: CustomStringConvertible {
    var description: String {
        switch self {
        case .github(let repository, let commit, let path): return "\(repository) at \(commit), `\(path)`"
        case .url(let url): return url
        case .mirrorOnly: return "no public source (a mirror only)"
        }
    }
}
