// A translated sentence with a name from the data in it ("Reserve {title}?"), the name in <bdi> so an English title
// in an Arabic sentence (or the reverse) keeps its own direction and does not drag the punctuation around.
const MARK = '\u0000';

export function Isolated({ text, value }: { text: (value: string) => string; value: string }) {
  const [before = '', after = ''] = text(MARK).split(MARK);
  return (
    <>
      {before}
      <bdi>{value}</bdi>
      {after}
    </>
  );
}
