#pragma once

#include "launch/LaunchSpec.h"

#include <QList>
#include <QString>

#include <functional>

class Engine;
class EngineRegistry;
class LogView;

// The window's launches that wait for free GPUs (LogPage::isWaitingForGpus) outlive the window:
// kept in the settings when it closes, in the order their tabs stand, and launched again when it
// opens, each on its own engine, where they wait again (or run at once when the GPUs are free by
// then). Nothing of theirs is on the engine meanwhile: a waiting launch has created nothing.
namespace WaitingLaunches {

struct Entry
{
    QString engineUrl;
    LaunchSpec spec; // as asked for: "N free GPUs", not the GPUs of any pick
};

// Keeps logs' waiting launches (none: forgets what was kept).
void remember(const LogView *logs);
// What remember() kept, in order; the settings forget it, so that it comes back once.
QList<Entry> takeRemembered();
// Starts each remembered launch whose engine registry still lists, through start; the sentence
// for the status bar (empty when none was remembered).
QString bringBack(const EngineRegistry *registry,
                  const std::function<void(Engine *, const LaunchSpec &)> &start);

} // namespace WaitingLaunches
