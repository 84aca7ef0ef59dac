// Real n8n processes: starting one takes 5–20 s, a Perceptis job a few seconds more.
jest.setTimeout(300_000);
