#include "WaitingLine.h"

#include <QHash>
#include <QPair>

#include <algorithm>

namespace {

using Line = QList<QPair<quint64, Launcher *>>; // ticket, launcher

QHash<QString, Line> &lines()
{
    static QHash<QString, Line> all;
    return all;
}

QList<Launcher *> launchersOf(const Line &line, qsizetype from = 0)
{
    QList<Launcher *> launchers;
    for (qsizetype i = from; i < line.size(); ++i)
        launchers << line.at(i).second;
    return launchers;
}

} // namespace

namespace WaitingLine {

QList<Launcher *> join(const QString &host, Launcher *launcher, quint64 ticket)
{
    Line &line = lines()[host];
    qsizetype at = line.size();
    while (at > 0 && line.at(at - 1).first > ticket)
        --at;
    line.insert(at, {ticket, launcher});
    return launchersOf(line, at + 1);
}

int placeOf(const QString &host, const Launcher *launcher)
{
    const Line line = lines().value(host);
    const auto it = std::find_if(line.cbegin(), line.cend(), [launcher](const auto &entry) {
        return entry.second == launcher;
    });
    return it == line.cend() ? 0 : int(it - line.cbegin()) + 1;
}

Left leave(const QString &host, Launcher *launcher)
{
    Left left;
    const auto it = lines().find(host);
    if (it == lines().end())
        return left;
    left.wasFirst = !it->isEmpty() && it->first().second == launcher;
    it->removeIf([launcher](const auto &entry) { return entry.second == launcher; });
    left.rest = launchersOf(*it);
    if (it->isEmpty())
        lines().erase(it);
    return left;
}

} // namespace WaitingLine
