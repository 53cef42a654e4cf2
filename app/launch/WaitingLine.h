#pragma once

#include <QList>
#include <QString>

class Launcher;

// This process's launches that wait for free GPUs, one line per GPU host (Endpoint::gpuHostKey:
// the local Docker and the local Podman share one), in the order the launches began (their
// tickets) though their first reads may end in another: only the head of a line tries again,
// first come first served. One thread, no lock.
namespace WaitingLine {

// Puts launcher in host's line by its ticket; the launchers now a place further back.
QList<Launcher *> join(const QString &host, Launcher *launcher, quint64 ticket);
// launcher's place in host's line, from 1; 0 when it is not in it.
int placeOf(const QString &host, const Launcher *launcher);

struct Left
{
    bool wasFirst = false;
    QList<Launcher *> rest; // the launchers still in line, each a place further up
};
// Takes launcher out of host's line.
Left leave(const QString &host, Launcher *launcher);

} // namespace WaitingLine
