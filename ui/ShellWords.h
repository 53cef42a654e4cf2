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

} // namespace ShellWords
