#pragma once

#include "common/Result.h"

#include <QString>
#include <QStringList>

// A command line split into arguments the way a POSIX shell splits words: blanks separate,
// '...' is literal, "..." keeps blanks and lets \ escape " \ $ `, and \ outside quotes escapes
// the next character. No expansion happens: the container gets the words as written.
namespace ShellWords {

Result<QStringList> split(const QString &line);
// The reverse, quoting only where needed: split(join(args)) == args.
QString join(const QStringList &args);
// One word as a POSIX shell reads it back: as it is when every character is safe, else in single
// quotes. The one quoter of GPU Deck (command fields, docker-run exports, remote commands).
QString quote(const QString &word);

} // namespace ShellWords
