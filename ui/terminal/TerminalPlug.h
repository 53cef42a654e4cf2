#pragma once

#include "engine/StreamDemuxer.h"
#include "terminal/TerminalScreen.h"
#include "terminal/TerminalView.h"

#include <QObject>

// Plays a container's stream in view: what it writes (output, a signal of a channel and bytes)
// into the screen; what the screen answers or the user types (write) and the view's size (resize)
// back to it. One wiring for a launch's terminal, an attach and an exec.
template <typename Stream, typename Output, typename Write, typename Resize>
void plugTerminal(TerminalView *view, Stream *stream, Output output, Write write, Resize resize)
{
    TerminalScreen *screen = view->screen();
    QObject::connect(stream, output, screen,
                     [screen](StreamDemuxer::Channel, const QByteArray &data) {
                         screen->feed(data);
                     });
    QObject::connect(screen, &TerminalScreen::output, stream, write);
    QObject::connect(view, &TerminalView::sizeChanged, stream, resize);
}
