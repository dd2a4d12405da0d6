import { execFileSync } from 'node:child_process';

// Fills rows into the "Certification" sheet of a downloaded .xlsx, as a person typing into it
// would leave them (text cells), and writes the result to `out`. Python's zipfile and XML
// libraries do the editing, so the workbook stays the one the product handed out.
const FILL = String.raw`
import json, re, sys, zipfile
source, out, rows = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with zipfile.ZipFile(source) as z:
    parts = {name: z.read(name) for name in z.namelist()}
workbook = parts['xl/workbook.xml'].decode()
rid = re.search(r'<sheet [^>]*name="Certification"[^>]*r:id="([^"]+)"', workbook).group(1)
rels = parts['xl/_rels/workbook.xml.rels'].decode()
target = re.search(r'<Relationship [^>]*Id="' + rid + r'"[^>]*Target="([^"]+)"', rels)
if target is None:
    target = re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="' + rid + '"', rels)
sheet = 'xl/' + target.group(1).lstrip('/').removeprefix('xl/')
def column(i):
    name = ''
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name
def esc(t):
    return t.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
xml_rows = ''
for n, cells in enumerate(rows, start=2):
    xml_rows += '<row r="%d">' % n + ''.join(
        '<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (column(i), n, esc(text))
        for i, text in enumerate(cells) if text) + '</row>'
xml = parts[sheet].decode()
xml = xml.replace('<sheetData/>', '<sheetData></sheetData>').replace('</sheetData>', xml_rows + '</sheetData>', 1)
parts[sheet] = xml.encode()
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for name, data in parts.items():
        z.writestr(name, data)
`;

export function fillTemplate(source: string, out: string, rows: string[][]) {
  execFileSync('python3', ['-c', FILL, source, out, JSON.stringify(rows)]);
}
