#include "ShellWords.h"

#include <QCoreApplication>

#include <algorithm>

namespace ShellWords {

Result<QStringList> split(const QString &line)
{
    enum class Quote { None, Single, Double };
    QStringList words;
    QString word;
    bool inWord = false;
    Quote quote = Quote::None;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        switch (quote) {
        case Quote::Single:
            if (c == QLatin1Char('\''))
                quote = Quote::None;
            else
                word.append(c);
            continue;
        case Quote::Double:
            if (c == QLatin1Char('"')) {
                quote = Quote::None;
            } else if (c == QLatin1Char('\\') && i + 1 < line.size()
                       && QStringLiteral("\"\\$`").contains(line.at(i + 1))) {
                word.append(line.at(++i));
            } else {
                word.append(c);
            }
            continue;
        case Quote::None: break;
        }
        if (c == QLatin1Char(' ') || c == QLatin1Char('\t') || c == QLatin1Char('\n')) {
            if (inWord) {
                words.append(word);
                word.clear();
                inWord = false;
            }
        } else if (c == QLatin1Char('\'')) {
            quote = Quote::Single;
            inWord = true;
        } else if (c == QLatin1Char('"')) {
            quote = Quote::Double;
            inWord = true;
        } else if (c == QLatin1Char('\\')) {
            inWord = true;
            if (i + 1 < line.size())
                word.append(line.at(++i));
        } else {
            word.append(c);
            inWord = true;
        }
    }
    if (quote != Quote::None) {
        return Error(Error::Code::Validation,
                     QCoreApplication::translate("ShellWords",
                                                 "The command has an unclosed %1 quote")
                         .arg(quote == Quote::Single ? QStringLiteral("'") : QStringLiteral("\"")),
                     {},
                     QCoreApplication::translate("ShellWords", "Close it, or escape it with \\"));
    }
    if (inWord)
        words.append(word);
    return words;
}

QString quote(const QString &word)
{
    // Not ^: a pattern character in zsh and a pipe in the Bourne shell.
    static const QString plain = QStringLiteral(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:@%");
    const bool safe = !word.isEmpty() && std::all_of(word.cbegin(), word.cend(), [](QChar c) {
        return plain.contains(c);
    });
    if (safe)
        return word;
    // Inside single quotes nothing is special; a quote itself is closed, escaped, reopened.
    QString quoted = word;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString join(const QStringList &args)
{
    QStringList quoted;
    for (const QString &arg : args)
        quoted.append(quote(arg));
    return quoted.join(QLatin1Char(' '));
}

} // namespace ShellWords
