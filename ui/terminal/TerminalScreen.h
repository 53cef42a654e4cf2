#pragma once

#include <QByteArray>
#include <QColor>
#include <QObject>
#include <QPoint>
#include <QString>
#include <QTimer>

#include <array>
#include <deque>
#include <utility>
#include <vector>

struct VTerm;
struct VTermScreen;

// A terminal's screen: libvterm parses what the program writes (escape sequences and UTF-8 split
// anywhere across feeds), keeps the cells, and turns keys into the bytes the program expects.
// Lines that scroll off the top are kept (up to maxScrollback()), 12 bytes a cell without their
// trailing blanks; rows below 0 address them, -1 the newest. No widgets here: TerminalView draws
// it, tests read it.
class TerminalScreen : public QObject
{
    Q_OBJECT

public:
    struct Cell
    {
        QString text; // empty for a blank; wide characters fill this cell and the next (width 2)
        int width = 1;
        QColor foreground; // invalid: the default colour
        QColor background; // invalid: the default colour
        bool bold = false;
        bool italic = false;
        bool underline = false;
        bool reverse = false;
        bool strike = false;
    };
    enum class CursorShape { Block, Underline, Bar };
    enum Modifier { NoModifier = 0, Shift = 1, Alt = 2, Control = 4 };
    // libvterm's keys that are not characters (VTermKey values; Function(n) for F1..F12).
    enum Key {
        Enter = 1,
        Tab,
        Backspace,
        Escape,
        Up,
        Down,
        Left,
        Right,
        Insert,
        Delete,
        Home,
        End,
        PageUp,
        PageDown
    };
    static int functionKey(int n) { return 256 + n; }

    explicit TerminalScreen(int rows = 24, int columns = 80, QObject *parent = nullptr);
    ~TerminalScreen() override;

    // What the program wrote. A small feed is parsed at once; a large one a few milliseconds
    // later, with what follows it, a slice per turn of the event loop.
    void feed(const QByteArray &bytes);
    void resize(int rows, int columns);
    int rows() const { return m_rows; }
    int columns() const { return m_columns; }

    Cell cell(int row, int column) const;
    QString lineText(int row) const; // trailing blanks dropped
    // The text from one position to another (rows as in cell(), inclusive), lines joined by \n.
    QString text(QPoint from, QPoint to) const;
    QString screenText() const; // the visible rows, for tests and copy-all

    int scrollbackSize() const { return int(m_scrollback.size()); }
    static constexpr int maxScrollback() { return 10000; }
    QPoint cursor() const; // x column, y row
    bool isCursorVisible() const { return m_cursorVisible; }
    bool isCursorBlinking() const { return m_cursorBlink; }
    CursorShape cursorShape() const { return m_cursorShape; }
    bool isAltScreen() const { return m_altScreen; }
    QString title() const { return m_title; }
    bool wantsMouse() const { return m_mouseMode != 0; }

    // A flood of plain lines (printable ASCII, each ended by CR LF, shorter than the screen is wide)
    // skips libvterm's scrolling for the lines that only pass through the screen: they go straight
    // into the scrollback as libvterm would have put them there. On by default; tests turn it off
    // to compare both ways.
    void setPlainLineShortcut(bool on) { m_shortcut = on; }
    qint64 linesSkipped() const { return m_skipped; } // lines that went by the shortcut
    qsizetype pendingBytes() const { return m_input.size() - m_parsed; } // fed, not parsed yet

    // Default colours (those the program did not choose), e.g. from the palette.
    void setDefaultColors(const QColor &foreground, const QColor &background);

    // Input: the bytes go out through output().
    void key(Key key, int modifiers = NoModifier);
    void functionKeyPressed(int n, int modifiers = NoModifier);
    void character(uint ucs4, int modifiers = NoModifier);
    void paste(const QString &text); // bracketed when the program asked for it
    void mouse(int row, int column, int button, bool pressed, int modifiers);

signals:
    void output(const QByteArray &bytes); // to the program
    void damaged();                       // cells changed: repaint (the view batches)
    void titleChanged(const QString &title);
    void bell();

private:
    struct Callbacks;
    // A cell as the scrollback keeps it: the first code point with the width and attributes in
    // its spare bits, and the colours as 0xffRRGGBB (0: the default colour).
    struct StoredCell
    {
        quint32 code = 0;
        quint32 foreground = 0;
        quint32 background = 0;
    };
    struct StoredLine
    {
        std::vector<StoredCell> cells;
        // The rare cells that hold more than one code point (combining marks), whole.
        std::vector<std::pair<int, QString>> clusters;
    };
    Cell convert(const void *cell) const;
    StoredCell store(const void *cell) const;
    static Cell unpack(const StoredLine &line, int column);
    void flushOutput();
    void drain();
    void write(const char *bytes, qsizetype size);
    qsizetype parseStep(const char *bytes, qsizetype size);
    using ByteSet = std::array<bool, 256>; // by byte value: in the set
    static const ByteSet &printable();     // printable ASCII
    qsizetype plainLine(const char *bytes, qsizetype size, const ByteSet &allowed) const;
    void learnFromLine(const char *bytes, qsizetype size);
    qsizetype skipPlainLines(const char *bytes, qsizetype size);
    void pushCells(int columns, const void *cells);
    StoredLine &newScrollbackLine();
    static constexpr qsizetype kPiece = 16 * 1024; // other bytes libvterm gets in one call at most
    static constexpr qint64 kTurnNs = 8 * 1000000; // parsing a turn of the event loop may take
    static constexpr qsizetype kGatherBytes = 4 * 1024; // a feed this large waits kGatherMs
    static constexpr int kGatherMs = 4;                 // for the reads that follow it,
    static constexpr qsizetype kGatherMax = 256 * 1024; // up to this many bytes
    static constexpr qsizetype kRunBytes = 64 * 1024;   // the most one skip covers

    VTerm *m_vt;
    VTermScreen *m_screen;
    int m_rows;
    int m_columns;
    std::deque<StoredLine> m_scrollback;
    bool m_cursorVisible = true;
    bool m_cursorBlink = true;
    CursorShape m_cursorShape = CursorShape::Block;
    bool m_altScreen = false;
    int m_mouseMode = 0;
    QString m_title;
    QByteArray m_pendingOutput;
    QByteArray m_input; // written by the program; from m_parsed on not parsed yet
    qsizetype m_parsed = 0;
    bool m_draining = false; // a slice of the parse is due in the next turn
    QTimer m_gather;         // running: feeds are gathered for a longer run

    // What the last plain lines showed about how libvterm draws the next one: the cell a byte
    // becomes (its code point 0), the bottom row's blanks, and the bytes seen drawn as themselves.
    // Known only while the cursor is at the start of the bottom row of a screen that scrolls whole.
    bool m_shortcut = true;
    bool m_plainKnown = false;
    StoredCell m_plainPen;
    std::vector<StoredCell> m_plainBlank;
    int m_plainKeep = 0; // a plain line keeps at least this many cells (blanks that are not default)
    ByteSet m_plainBytes{};
    qint64 m_skipped = 0;
    quint64 m_pushes = 0; // lines libvterm scrolled off
};
